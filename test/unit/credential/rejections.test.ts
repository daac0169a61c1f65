/**
 * Every rejection, table-driven over certificates minted at test time. Each row asserts the
 * stable reason, the field, the shape of the message (specific and useful), and that no
 * string derived from the private key appears in the message, the stack, `util.inspect` or
 * `JSON.stringify` of the error.
 */
import { Buffer } from 'node:buffer';
import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  encodePem,
  InvalidCertificateError,
  InvalidCertificateReason as Reason,
  isInvalidCertificate,
  parseTlsSecret,
  type ParseTlsSecretOptions,
  type TlsSecretData,
  type TlsSecretField,
} from '../../../packages/connector-sdk/src/credential/index.ts';
import { CertDeployerError, ErrorCode, hasCode } from '../../../packages/connector-sdk/src/sandbox/errors.ts';
import {
  keyMaterialLeaks,
  keyMaterialNeedles,
  mintChain,
  openssl,
  toDer,
  toEncryptedPkcs8Pem,
  toLegacyEncryptedPem,
  toPkcs1Pem,
  withCrlf,
  type MintedChain,
} from '../../support/certs/index.ts';

const NOW = new Date();
const DAY = 86_400_000;
const PINNED_NAME = 'pinned.example.test';
const PINNED_NOT_BEFORE = new Date('2020-01-01T00:00:00Z');

interface Fixtures {
  rsa: MintedChain;
  p256: MintedChain;
  other: MintedChain;
  expired: MintedChain;
  future: MintedChain;
  dsa: MintedChain;
  p521: MintedChain;
  ed448: MintedChain;
  rsa1024: MintedChain;
  /** A self-signed P-256 certificate signed with ecdsa-with-SHA1 (by the openssl CLI). */
  sha1: { crt: string; key: string };
  /** Known SAN and notBefore, so their DER can be found and corrupted (see `patchDer`). */
  pinned: MintedChain;
}
let f: Fixtures;

beforeAll(async () => {
  const [rsa, p256, other, expired, future, dsa, p521, ed448] = await Promise.all([
    mintChain({ keyAlgorithm: 'rsa', dnsNames: ['rsa.example.test'] }),
    mintChain({ dnsNames: ['p256.example.test'] }),
    mintChain({ name: 'Other', dnsNames: ['other.example.test'] }),
    mintChain({ dnsNames: ['expired.example.test'], notBefore: new Date(NOW.getTime() - 100 * DAY), notAfter: new Date(NOW.getTime() - 10 * DAY) }),
    mintChain({ dnsNames: ['future.example.test'], notBefore: new Date(NOW.getTime() + 10 * DAY), notAfter: new Date(NOW.getTime() + 100 * DAY) }),
    mintChain({ keyAlgorithm: 'dsa', dnsNames: ['dsa.example.test'] }),
    mintChain({ keyAlgorithm: 'ecdsa-p521', dnsNames: ['p521.example.test'] }),
    mintChain({ keyAlgorithm: 'ed448', dnsNames: ['ed448.example.test'] }),
  ]);
  const rsa1024 = await mintChain({ keyAlgorithm: 'rsa', rsaModulusLength: 1024, dnsNames: ['rsa1024.example.test'] });
  const sha1 = await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-sha1', '-subj', '/CN=sha1.example.test', '-days', '10', '-keyout', '{k}', '-out', '{c}'], { read: ['k', 'c'] });
  const pinned = await mintChain({ dnsNames: [PINNED_NAME], notBefore: PINNED_NOT_BEFORE, notAfter: new Date(NOW.getTime() + 100 * DAY) });
  f = { rsa, p256, other, expired, future, dsa, p521, ed448, rsa1024, sha1: { crt: String(sha1.outputs.c), key: String(sha1.outputs.k) }, pinned };
});

interface Row {
  readonly name: string;
  readonly data: (f: Fixtures) => TlsSecretData;
  readonly reason: Reason;
  readonly field: TlsSecretField | undefined;
  /** Every pattern must match the message: the message is specific, not generic. */
  readonly message: readonly RegExp[];
  readonly maxBytes?: number;
  /** Parse options beyond `now` and `maxBytes` (chain limits, the weak-credential policy). */
  readonly opts?: Partial<Omit<ParseTlsSecretOptions, 'maxBytes'>>;
  /** The keys whose material must not leak (defaults to the p256 and rsa keys). */
  readonly keys?: (f: Fixtures) => string[];
}

const chain = (c: MintedChain): string => c.chainPem.join('');
/** Drops the key's middle lines, keeping it well-formed PEM with a broken DER inside. */
const truncateKey = (pem: string): string => {
  const lines = pem.trimEnd().split('\n');
  return [lines[0], ...lines.slice(1, 5), lines[lines.length - 1]].join('\n') + '\n';
};
/**
 * Re-encodes `pem` with `replacement` written over the one occurrence of `needle` in its DER
 * (throws when there is not exactly one, so a fixture change cannot make a row vacuous). The
 * signature no longer verifies, which the model tolerates (an unlinked certificate is dropped):
 * these rows are about certificates that parse but have a part Node decodes only on demand.
 */
const patchDer = (pem: string, needle: Buffer, replacement: Buffer): string => {
  const der = Buffer.from(toDer(pem));
  const at = der.indexOf(needle);
  if (at === -1 || der.indexOf(needle, at + 1) !== -1) throw new Error('patchDer: the needle is not in the DER exactly once');
  replacement.copy(der, at);
  return encodePem('CERTIFICATE', der);
};
/** The pinned leaf's SAN dNSName ([2] IMPLICIT IA5String) retagged [9]: no GeneralName has that tag (the fuzz counterexample's shape). */
const badSanLeaf = (c: MintedChain): string => {
  const name = Buffer.from(PINNED_NAME);
  return patchDer(c.leafPem, Buffer.concat([Buffer.from([0x82, name.length]), name]), Buffer.from([0x89]));
};
/** The pinned leaf's notBefore UTCTime (200101000000Z) with month 13: it parses, but its date is Invalid Date. */
const month13Leaf = (c: MintedChain): string => patchDer(c.leafPem, Buffer.from('\x17\x0d200101000000Z', 'latin1'), Buffer.from('\x17\x0d201301000000Z', 'latin1'));
const x25519Pem = generateKeyPairSync('x25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const openssh = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\n-----END OPENSSH PRIVATE KEY-----\n';
const garbageBlock = (label: string): string => `-----BEGIN ${label}-----\n${Buffer.from('definitely not DER, just text').toString('base64')}\n-----END ${label}-----\n`;

const rows: Row[] = [
  // presence and size
  { name: 'no tls.crt', data: (f) => ({ 'tls.key': f.p256.keyPem }), reason: Reason.MissingCertificate, field: 'tls.crt', message: [/no tls\.crt/] },
  { name: 'no tls.key', data: (f) => ({ 'tls.crt': chain(f.p256) }), reason: Reason.MissingKey, field: 'tls.key', message: [/no tls\.key/] },
  { name: 'empty tls.crt string', data: (f) => ({ 'tls.crt': '', 'tls.key': f.p256.keyPem }), reason: Reason.Empty, field: 'tls.crt', message: [/tls\.crt is empty/] },
  { name: 'whitespace-only tls.key', data: (f) => ({ 'tls.crt': chain(f.p256), 'tls.key': ' \r\n\t\n' }), reason: Reason.Empty, field: 'tls.key', message: [/tls\.key is empty/] },
  { name: 'zero-length Uint8Array tls.key', data: (f) => ({ 'tls.crt': chain(f.p256), 'tls.key': new Uint8Array(0) }), reason: Reason.Empty, field: 'tls.key', message: [/tls\.key is empty/] },
  { name: 'tls.crt over a custom limit', data: (f) => ({ 'tls.crt': chain(f.p256), 'tls.key': f.p256.keyPem }), maxBytes: 512, reason: Reason.Oversize, field: 'tls.crt', message: [/tls\.crt: \d+ bytes exceeds the limit of 512 bytes/] },
  {
    name: 'tls.key over the default 1 MiB limit',
    data: (f) => ({ 'tls.crt': chain(f.p256), 'tls.key': '#'.repeat(1024 * 1024) + '\n' + f.p256.keyPem }),
    reason: Reason.Oversize,
    field: 'tls.key',
    message: [/exceeds the limit of 1048576 bytes/],
  },
  { name: 'ca.crt over the limit', data: (f) => ({ 'tls.crt': f.p256.leafPem, 'tls.key': f.p256.keyPem, 'ca.crt': new Uint8Array(2048) }), maxBytes: 1024, reason: Reason.Oversize, field: 'ca.crt', message: [/ca\.crt: 2048 bytes/] },
  // chain limits (see hostile-chain.test.ts for the hostile shapes)
  { name: 'a chain repeated past 64 KiB', data: (f) => ({ 'tls.crt': chain(f.p256).repeat(60), 'tls.key': f.p256.keyPem }), reason: Reason.ChainTooLarge, field: 'tls.crt', message: [/above the limit of 65536 bytes/] },
  { name: 'ca.crt with 40 copies of the root', data: (f) => ({ 'tls.crt': chain(f.p256), 'tls.key': f.p256.keyPem, 'ca.crt': f.p256.rootPem.repeat(40) }), reason: Reason.ChainTooLong, field: 'ca.crt', message: [/43 certificates \(tls\.crt 3, ca\.crt 40\), above the limit of 32/] },
  // weak parameters under --weak-credentials=Refuse (under Warn they deploy: strength.test.ts)
  { name: 'RSA 1024 refused', data: (f) => ({ 'tls.crt': chain(f.rsa1024), 'tls.key': f.rsa1024.keyPem }), opts: { weakCredentials: 'Refuse' }, reason: Reason.WeakKey, field: 'tls.crt', message: [/RSA 1024 bits, under 2048/], keys: (f) => [f.rsa1024.keyPem] },
  { name: 'SHA-1 signature refused', data: (f) => ({ 'tls.crt': f.sha1.crt, 'tls.key': f.sha1.key }), opts: { weakCredentials: 'Refuse', now: new Date(NOW.getTime() + 3_600_000) /* openssl cannot backdate notBefore */ }, reason: Reason.WeakSignature, field: 'tls.crt', message: [/signed with ecdsa-with-SHA1/i], keys: (f) => [f.sha1.key] },
  // not PEM
  { name: 'plain text tls.crt', data: (f) => ({ 'tls.crt': 'hello world', 'tls.key': f.p256.keyPem }), reason: Reason.NotPem, field: 'tls.crt', message: [/tls\.crt: no PEM block/] },
  { name: 'DER tls.crt', data: (f) => ({ 'tls.crt': toDer(f.p256.leafPem), 'tls.key': f.p256.keyPem }), reason: Reason.NotPem, field: 'tls.crt', message: [/looks like binary DER/] },
  { name: 'DER tls.key', data: (f) => ({ 'tls.crt': chain(f.p256), 'tls.key': Buffer.from(f.p256.keyPem.split('\n').slice(1, -2).join(''), 'base64') }), reason: Reason.NotPem, field: 'tls.key', message: [/tls\.key: no PEM block/, /binary DER/] },
  { name: 'garbage ca.crt', data: (f) => ({ 'tls.crt': chain(f.p256), 'tls.key': f.p256.keyPem, 'ca.crt': 'not a cert' }), reason: Reason.NotPem, field: 'ca.crt', message: [/ca\.crt: no PEM block/] },
  { name: 'unterminated certificate', data: (f) => ({ 'tls.crt': f.p256.leafPem.replace(/-----END CERTIFICATE-----\n$/, ''), 'tls.key': f.p256.keyPem }), reason: Reason.NotPem, field: 'tls.crt', message: [/CERTIFICATE block at line 1 has no matching END/] },
  {
    name: 'unterminated key (a second BEGIN first)',
    data: (f) => ({ 'tls.crt': chain(f.p256), 'tls.key': f.p256.keyPem.replace(/-----END PRIVATE KEY-----\n$/, '') + f.p256.keyPem }),
    reason: Reason.NotPem,
    field: 'tls.key',
    message: [/PRIVATE KEY block at line 1 has no matching END/],
  },
  { name: 'mismatched END label', data: (f) => ({ 'tls.crt': f.p256.leafPem.replace('END CERTIFICATE', 'END X509 CRL'), 'tls.key': f.p256.keyPem }), reason: Reason.NotPem, field: 'tls.crt', message: [/mismatched END X509 CRL/] },
  {
    name: 'a non-base64 line inside the key',
    data: (f) => ({ 'tls.crt': chain(f.p256), 'tls.key': f.p256.keyPem.replace(/\n([A-Za-z0-9+/]{10})/, '\n$1*') }),
    reason: Reason.NotPem,
    field: 'tls.key',
    message: [/not base64 \(line 2\)/],
  },
  { name: 'misplaced base64 padding', data: (f) => ({ 'tls.crt': f.p256.leafPem.replace(/\n([A-Za-z0-9+/]{4})/, '\n==$1'), 'tls.key': f.p256.keyPem }), reason: Reason.NotPem, field: 'tls.crt', message: [/not valid base64/] },
  // structure
  { name: 'CERTIFICATE block holding non-DER', data: (f) => ({ 'tls.crt': garbageBlock('CERTIFICATE'), 'tls.key': f.p256.keyPem }), reason: Reason.Malformed, field: 'tls.crt', message: [/CERTIFICATE block at line 1 is not a valid X\.509 certificate/] },
  {
    name: 'leaf whose subjectAltName extension cannot be decoded',
    data: (f) => ({ 'tls.crt': [badSanLeaf(f.pinned), ...f.pinned.chainPem.slice(1)].join(''), 'tls.key': f.pinned.keyPem }),
    reason: Reason.Malformed,
    field: 'tls.crt',
    message: [/tls\.crt: the CERTIFICATE block at line 1 is not a valid X\.509 certificate: its subjectAltName extension cannot be decoded/],
    keys: (f) => [f.pinned.keyPem],
  },
  {
    name: 'an unrelated ca.crt certificate whose subjectAltName cannot be decoded',
    data: (f) => ({ 'tls.crt': chain(f.p256), 'tls.key': f.p256.keyPem, 'ca.crt': f.p256.rootPem + badSanLeaf(f.pinned) }),
    reason: Reason.Malformed,
    field: 'ca.crt',
    message: [/ca\.crt: the CERTIFICATE block at line \d+ is not a valid X\.509 certificate: its subjectAltName extension cannot be decoded/],
  },
  {
    name: 'leaf whose notBefore is month 13 (not silently accepted)',
    data: (f) => ({ 'tls.crt': [month13Leaf(f.pinned), ...f.pinned.chainPem.slice(1)].join(''), 'tls.key': f.pinned.keyPem }),
    reason: Reason.Malformed,
    field: 'tls.crt',
    message: [/CERTIFICATE block at line 1 is not a valid X\.509 certificate: its notBefore date cannot be decoded/],
    keys: (f) => [f.pinned.keyPem],
  },
  { name: 'PRIVATE KEY block holding non-DER', data: (f) => ({ 'tls.crt': chain(f.p256), 'tls.key': garbageBlock('PRIVATE KEY') }), reason: Reason.Malformed, field: 'tls.key', message: [/not a valid PKCS#8 private key/] },
  { name: 'EC key in an RSA PRIVATE KEY block', data: (f) => ({ 'tls.crt': chain(f.p256), 'tls.key': f.p256.keyPem.replaceAll('PRIVATE KEY', 'RSA PRIVATE KEY') }), reason: Reason.Malformed, field: 'tls.key', message: [/holds a ec key, not a PKCS#1 RSA private key/] },
  { name: 'RSA key in an EC PRIVATE KEY block', data: (f) => ({ 'tls.crt': chain(f.rsa), 'tls.key': toPkcs1Pem(f.rsa.keyPem).replaceAll('RSA PRIVATE KEY', 'EC PRIVATE KEY') }), reason: Reason.Malformed, field: 'tls.key', message: [/EC PRIVATE KEY block at line 1 (is not a valid SEC1 EC private key|holds a rsa key)/], keys: (f) => [f.rsa.keyPem] },
  { name: 'truncated PKCS#1 key', data: (f) => ({ 'tls.crt': chain(f.rsa), 'tls.key': truncateKey(toPkcs1Pem(f.rsa.keyPem)) }), reason: Reason.Malformed, field: 'tls.key', message: [/not a valid PKCS#1 RSA private key/], keys: (f) => [f.rsa.keyPem] },
  { name: 'ca.crt holding only a key', data: (f) => ({ 'tls.crt': chain(f.p256), 'tls.key': f.p256.keyPem, 'ca.crt': f.rsa.keyPem }), reason: Reason.MissingCertificate, field: 'ca.crt', message: [/ca\.crt: no CERTIFICATE block/], keys: (f) => [f.p256.keyPem, f.rsa.keyPem] },
  { name: 'tls.crt and tls.key swapped', data: (f) => ({ 'tls.crt': f.p256.keyPem, 'tls.key': chain(f.p256) }), reason: Reason.MissingCertificate, field: 'tls.crt', message: [/swapped/] },
  { name: 'tls.key holding only certificates', data: (f) => ({ 'tls.crt': chain(f.p256), 'tls.key': chain(f.p256) }), reason: Reason.MissingKey, field: 'tls.key', message: [/no private key block found \(it holds CERTIFICATE blocks\)/, /swapped/] },
  { name: 'two keys in tls.key', data: (f) => ({ 'tls.crt': chain(f.p256), 'tls.key': f.p256.keyPem + f.rsa.keyPem }), reason: Reason.MultipleKeys, field: 'tls.key', message: [/2 private key blocks found \(lines 1, \d+\)/], keys: (f) => [f.p256.keyPem, f.rsa.keyPem] },
  // key policy
  { name: 'encrypted PKCS#8', data: (f) => ({ 'tls.crt': chain(f.rsa), 'tls.key': toEncryptedPkcs8Pem(f.rsa.keyPem) }), reason: Reason.EncryptedKey, field: 'tls.key', message: [/ENCRYPTED PRIVATE KEY block at line 1 is passphrase-protected/], keys: (f) => [f.rsa.keyPem] },
  { name: 'legacy encrypted PKCS#1 (Proc-Type)', data: (f) => ({ 'tls.crt': chain(f.rsa), 'tls.key': toLegacyEncryptedPem(f.rsa.keyPem) }), reason: Reason.EncryptedKey, field: 'tls.key', message: [/RSA PRIVATE KEY block at line 1 is passphrase-protected/], keys: (f) => [f.rsa.keyPem] },
  { name: 'legacy encrypted SEC1 with CRLF', data: (f) => ({ 'tls.crt': chain(f.p256), 'tls.key': withCrlf(toLegacyEncryptedPem(f.p256.keyPem)) }), reason: Reason.EncryptedKey, field: 'tls.key', message: [/EC PRIVATE KEY block/] },
  { name: 'DSA key (PKCS#8)', data: (f) => ({ 'tls.crt': chain(f.dsa), 'tls.key': f.dsa.keyPem }), reason: Reason.UnsupportedKeyType, field: 'tls.key', message: [/DSA keys are not supported/], keys: (f) => [f.dsa.keyPem] },
  { name: 'DSA key (legacy DSA PRIVATE KEY)', data: (f) => ({ 'tls.crt': chain(f.dsa), 'tls.key': f.dsa.keyPem.replaceAll('PRIVATE KEY', 'DSA PRIVATE KEY') }), reason: Reason.UnsupportedKeyType, field: 'tls.key', message: [/DSA keys are not supported/], keys: (f) => [f.dsa.keyPem] },
  { name: 'ECDSA P-521', data: (f) => ({ 'tls.crt': chain(f.p521), 'tls.key': f.p521.keyPem }), reason: Reason.UnsupportedKeyType, field: 'tls.key', message: [/ECDSA curve secp521r1 is not supported/], keys: (f) => [f.p521.keyPem] },
  { name: 'Ed448', data: (f) => ({ 'tls.crt': chain(f.ed448), 'tls.key': f.ed448.keyPem }), reason: Reason.UnsupportedKeyType, field: 'tls.key', message: [/Ed448 keys are not supported/], keys: (f) => [f.ed448.keyPem] },
  { name: 'X25519 (key agreement only)', data: (f) => ({ 'tls.crt': chain(f.p256), 'tls.key': x25519Pem }), reason: Reason.UnsupportedKeyType, field: 'tls.key', message: [/x25519 keys cannot sign/], keys: () => [x25519Pem] },
  { name: 'OpenSSH key format', data: (f) => ({ 'tls.crt': chain(f.p256), 'tls.key': openssh }), reason: Reason.UnsupportedKeyFormat, field: 'tls.key', message: [/OPENSSH PRIVATE KEY block at line 1 is not a supported key format/] },
  // matching and validity
  { name: 'key from another chain', data: (f) => ({ 'tls.crt': chain(f.p256), 'tls.key': f.other.keyPem }), reason: Reason.KeyMismatch, field: undefined, message: [/tls\.key does not match any certificate in tls\.crt/, /"CN=p256\.example\.test" \(notBefore \S+, notAfter \S+\)/], keys: (f) => [f.other.keyPem] },
  { name: 'key matches only a certificate in ca.crt', data: (f) => ({ 'tls.crt': f.other.leafPem, 'tls.key': f.p256.keyPem, 'ca.crt': chain(f.p256) }), reason: Reason.KeyMismatch, field: undefined, message: [/CN=other\.example\.test/] },
  { name: 'PKCS#1 RSA key for an ECDSA certificate', data: (f) => ({ 'tls.crt': chain(f.p256), 'tls.key': toPkcs1Pem(f.rsa.keyPem) }), reason: Reason.KeyMismatch, field: undefined, message: [/does not match/], keys: (f) => [f.rsa.keyPem] },
  { name: 'expired leaf', data: (f) => ({ 'tls.crt': chain(f.expired), 'tls.key': f.expired.keyPem }), reason: Reason.Expired, field: 'tls.crt', message: [/"CN=expired\.example\.test"/, /expired at \d{4}-\d\d-\d\dT/], keys: (f) => [f.expired.keyPem] },
  { name: 'not yet valid leaf', data: (f) => ({ 'tls.crt': chain(f.future), 'tls.key': f.future.keyPem }), reason: Reason.NotYetValid, field: 'tls.crt', message: [/"CN=future\.example\.test"/, /is not valid until \d{4}-/], keys: (f) => [f.future.keyPem] },
];

/** Everything an operator could see of an error. */
function errorSurfaces(err: unknown): string[] {
  const e = err as Error;
  return [e.message, String(e), e.stack ?? '', inspect(e, { depth: 10 }), JSON.stringify(e), JSON.stringify({ ...e })];
}

describe('each rejection is a typed error with a stable reason and a specific message', () => {
  test.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const data = row.data(f);
    let caught: unknown;
    try {
      parseTlsSecret(data, { now: NOW, ...row.opts, ...(row.maxBytes === undefined ? {} : { maxBytes: row.maxBytes }) });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidCertificateError);
    expect(caught).toBeInstanceOf(CertDeployerError);
    const err = caught as InvalidCertificateError;
    expect(hasCode(err, ErrorCode.InvalidCertificate)).toBe(true);
    expect(err.code).toBe('CD_ERR_INVALID_CERTIFICATE');
    expect(err.reason).toBe(row.reason);
    expect(isInvalidCertificate(err, row.reason)).toBe(true);
    expect(err.field).toBe(row.field);
    expect(err.retryable).toBe(false);
    expect(err.message.startsWith(`invalid certificate (${row.reason}): `)).toBe(true);
    for (const pattern of row.message) expect(err.message).toMatch(pattern);
    expect(keyMaterialLeaks(errorSurfaces(err), row.keys?.(f) ?? [f.p256.keyPem, f.rsa.keyPem])).toEqual([]);
  });
});

test('every reason constant is exercised by some row', () => {
  const covered = new Set(rows.map((r) => r.reason));
  expect([...Object.values(Reason)].filter((r) => !covered.has(r))).toEqual([]);
});

test('notAfter is inclusive: one second past it is Expired', async () => {
  const notAfter = new Date('2030-01-01T00:00:00Z');
  const c = await mintChain({ notBefore: new Date('2029-01-01T00:00:00Z'), notAfter, intermediates: 0 });
  const data = { 'tls.crt': c.leafPem, 'tls.key': c.keyPem };
  expect(parseTlsSecret(data, { now: notAfter }).notAfter).toEqual(notAfter);
  expect(() => parseTlsSecret(data, { now: new Date(notAfter.getTime() + 1000) })).toThrow(expect.objectContaining({ reason: Reason.Expired, message: expect.stringContaining('expired at 2030-01-01T00:00:00.000Z') }));
  expect(() => parseTlsSecret(data, { now: new Date('2028-12-31T23:59:59Z') })).toThrow(expect.objectContaining({ reason: Reason.NotYetValid }));
});

test('the pinned chain deploys unpatched, so the patched rows above fail only for their patch', () => {
  const d = parseTlsSecret({ 'tls.crt': chain(f.pinned), 'tls.key': f.pinned.keyPem }, { now: NOW });
  expect(d.dnsNames).toEqual([PINNED_NAME]);
  expect(d.notBefore).toEqual(PINNED_NOT_BEFORE);
});

test('a non-string, non-bytes field is a typed error, not a crash', () => {
  const data = { 'tls.crt': 42, 'tls.key': f.p256.keyPem } as unknown as TlsSecretData;
  expect(() => parseTlsSecret(data, { now: NOW })).toThrow(expect.objectContaining({ reason: Reason.NotPem, field: 'tls.crt' }));
});

test('the leak check itself detects key material (so the tests above can fail)', () => {
  const needles = keyMaterialNeedles(f.p256.keyPem);
  expect(needles.length).toBeGreaterThan(2);
  const leaky = new InvalidCertificateError(Reason.Malformed, `oops ${f.p256.keyPem.split('\n')[1]}`);
  expect(keyMaterialLeaks(errorSurfaces(leaky), [f.p256.keyPem])).not.toEqual([]);
});

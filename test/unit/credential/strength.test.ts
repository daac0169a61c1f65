/**
 * Weak parameters: RSA under 2048 bits or with a small public exponent, SHA-1/MD5 signatures.
 * Under the default `Warn` policy the Secret parses and the findings say what is weak; under
 * `Refuse` the first finding is the rejection reason. Certificates are minted at test time,
 * SHA-1 ones by the real openssl CLI (webcrypto does not sign with SHA-1 for X.509 here).
 */
import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  InvalidCertificateReason as Reason,
  inspectTlsSecret,
  isInvalidCertificate,
  parseTlsSecret,
  WeakCredentialPolicy,
  type TlsSecretData,
} from '../../../packages/connector-sdk/src/credential/index.ts';
import { keyMaterialLeaks, mintChain, openssl } from '../../support/certs/index.ts';

/** An hour ahead: openssl (3.0) cannot backdate notBefore, so its certificates start at minting. */
const NOW = new Date(Date.now() + 3_600_000);

interface Pair { crt: string; key: string }
let rsa1024: Pair;
let rsaE3: Pair;
let strong: Pair;
let sha1Leaf: Pair;
let sha1Root: Pair; // root self-signed with SHA-1, leaf signed with SHA-256
let weakIntermediate: Pair; // intermediate RSA 1024 signed by a strong root

async function opensslOk(args: string[], files: Record<string, string>, read: string[]): Promise<Record<string, string>> {
  const r = await openssl(args, { files, read });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  return Object.fromEntries(Object.entries(r.outputs).map(([k, v]) => [k, v.toString('utf8')]));
}

/** A CA (self-signed, digest `caDigest`, key `caKeyArgs`) and a P-256 leaf it signs with `leafDigest`. */
async function opensslChain(caDigest: string, leafDigest: string, caKeyArgs: string[]): Promise<{ leaf: string; key: string; ca: string }> {
  const ca = await opensslOk(['req', '-x509', '-newkey', ...caKeyArgs, '-nodes', `-${caDigest}`, '-subj', '/CN=Weak Test CA', '-days', '30', '-keyout', '{ca.key}', '-out', '{ca.crt}', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'], {}, ['ca.key', 'ca.crt']);
  const leafReq = await opensslOk(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=weak.example.test', '-keyout', '{leaf.key}', '-out', '{leaf.csr}'], {}, ['leaf.key', 'leaf.csr']);
  const signed = await opensslOk(['x509', '-req', '-in', '{leaf.csr}', '-CA', '{ca.crt}', '-CAkey', '{ca.key}', '-CAcreateserial', `-${leafDigest}`, '-days', '10', '-out', '{leaf.crt}'], { 'leaf.csr': leafReq['leaf.csr']!, 'ca.crt': ca['ca.crt']!, 'ca.key': ca['ca.key']! }, ['leaf.crt']);
  return { leaf: signed['leaf.crt']!, key: leafReq['leaf.key']!, ca: ca['ca.crt']! };
}

beforeAll(async () => {
  const small = await mintChain({ keyAlgorithm: 'rsa', rsaModulusLength: 1024, dnsNames: ['rsa1024.example.test'] });
  rsa1024 = { crt: small.chainPem.join(''), key: small.keyPem };
  const e3 = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const e3Chain = await mintChain({ keyPem: e3, dnsNames: ['e3.example.test'] });
  rsaE3 = { crt: e3Chain.chainPem.join(''), key: e3Chain.keyPem };
  const good = await mintChain({ keyAlgorithm: 'rsa', dnsNames: ['strong.example.test'] });
  strong = { crt: good.chainPem.join(''), key: good.keyPem };
  const p256 = ['ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  const a = await opensslChain('sha256', 'sha1', p256);
  sha1Leaf = { crt: a.leaf + a.ca, key: a.key };
  const b = await opensslChain('sha1', 'sha256', p256);
  sha1Root = { crt: b.leaf + b.ca, key: b.key };
  const c = await opensslChain('sha256', 'sha256', ['rsa:1024']);
  weakIntermediate = { crt: c.leaf + c.ca, key: c.key };
}, 60_000);

const data = (p: Pair): TlsSecretData => ({ 'tls.crt': p.crt, 'tls.key': p.key });

function refused(p: Pair): { reason: string; message: string } {
  try {
    parseTlsSecret(data(p), { now: NOW, weakCredentials: WeakCredentialPolicy.Refuse });
  } catch (err) {
    if (!isInvalidCertificate(err)) throw err;
    return { reason: err.reason, message: err.message };
  }
  throw new Error('expected a refusal');
}

describe('Warn (default): the credential parses and the findings name what is weak', () => {
  test.each([
    ['RSA 1024 leaf key', () => rsa1024, Reason.WeakKey, /the private key is RSA 1024 bits, under 2048/],
    ['RSA public exponent 3', () => rsaE3, Reason.WeakKey, /public exponent 3, under 65537/],
    ['SHA-1 signed leaf', () => sha1Leaf, Reason.WeakSignature, /the certificate "CN=weak\.example\.test" is signed with ecdsa-with-SHA1/],
    ['RSA 1024 CA key in the chain', () => weakIntermediate, Reason.WeakKey, /the chain certificate "CN=Weak Test CA"'s key is RSA 1024 bits/],
  ])('%s', (_name, pair, reason, message) => {
    const { deployment, weaknesses } = inspectTlsSecret(data(pair()), { now: NOW });
    expect(deployment.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(weaknesses.map((w) => w.reason)).toContain(reason);
    expect(weaknesses.map((w) => w.message).join('\n')).toMatch(message);
    expect(keyMaterialLeaks(weaknesses.map((w) => w.message), [pair().key])).toEqual([]);
  });

  test('a strong RSA 2048 chain and a P-256 chain have no findings', async () => {
    expect(inspectTlsSecret(data(strong), { now: NOW }).weaknesses).toEqual([]);
    const p256 = await mintChain();
    expect(inspectTlsSecret({ 'tls.crt': p256.chainPem.join(''), 'tls.key': p256.keyPem }, { now: NOW }).weaknesses).toEqual([]);
  });

  test('a root self-signed with SHA-1 is not a finding: clients trust a root by its key, not its signature', () => {
    expect(inspectTlsSecret(data(sha1Root), { now: NOW }).weaknesses).toEqual([]);
  });
});

describe('Refuse: the first finding is the rejection', () => {
  test.each([
    ['RSA 1024', () => rsa1024, Reason.WeakKey],
    ['exponent 3', () => rsaE3, Reason.WeakKey],
    ['SHA-1 leaf', () => sha1Leaf, Reason.WeakSignature],
    ['RSA 1024 CA', () => weakIntermediate, Reason.WeakKey],
  ])('%s', (_name, pair, reason) => {
    const r = refused(pair());
    expect(r.reason).toBe(reason);
    expect(r.message).toContain('refused by --weak-credentials=Refuse');
  });

  test('a strong credential is not refused', () => {
    expect(parseTlsSecret(data(strong), { now: NOW, weakCredentials: WeakCredentialPolicy.Refuse }).keyAlgorithm).toBe('rsa');
  });

  test('curves other than P-256/P-384 stay refused whatever the policy (targets refuse them)', async () => {
    const p521 = await mintChain({ keyAlgorithm: 'ecdsa-p521' });
    for (const weakCredentials of [WeakCredentialPolicy.Warn, WeakCredentialPolicy.Refuse]) {
      expect(() => parseTlsSecret({ 'tls.crt': p521.chainPem.join(''), 'tls.key': p521.keyPem }, { now: NOW, weakCredentials })).toThrow(/UnsupportedKeyType/);
    }
  });
});

/**
 * The credential model: a `kubernetes.io/tls` Secret's data → a `Deployment`, or a typed
 * `InvalidCertificateError`. Pure (no I/O; the clock is the injected `now`), so the
 * controller can validate a Secret before any target is touched, and every rule is a unit
 * test.
 *
 * Rules, in the order they are checked:
 * 1. `tls.crt` and `tls.key` must be present (`MissingCertificate`, `MissingKey`); `ca.crt` is
 *    optional, and an empty `ca.crt` counts as absent (cert-manager writes one when the issuer
 *    does not know its CA).
 * 2. Each field is at most `maxBytes` (default 1 MiB) before decoding (`Oversize`), and not
 *    blank (`Empty`); `tls.crt` and `ca.crt` together are at most 64 KiB (`ChainTooLarge`) and
 *    hold at most 32 certificate blocks, duplicates counted (`ChainTooLong`): see chain-limits.ts.
 * 3. Fields are scanned for PEM blocks; text around blocks is ignored (`NotPem` if none).
 *    Only `CERTIFICATE` blocks are read from `tls.crt`/`ca.crt`; a stray key block there is
 *    ignored and never copied to the output, which is re-encoded from DER. Every certificate
 *    block must decode, including its names, subjectAltName extension and validity dates
 *    (`Malformed`), even one that will not link into the chain.
 * 4. The key is decoded and checked against the key-type policy (see private-key.ts).
 * 5. The leaf is the `tls.crt` certificate whose public key is the key's (`KeyMismatch` if
 *    none). When several carry that key (an old and a renewed certificate for a reused key),
 *    the first one valid at `now` wins, else the first one.
 * 6. The leaf must be valid at `now` (`NotYetValid`, `Expired`); notAfter is inclusive.
 *    Only the leaf is checked: an expired intermediate is a chain problem the TLS probe after
 *    deployment reports better than a static rule could.
 * 7. The chain is ordered from the leaf by signature links over `tls.crt` then `ca.crt`,
 *    deduplicated; certificates that do not link are dropped silently (see chain-order.ts).
 * 8. Strength (strength.ts): RSA under 2048 bits or exponent under 65537, SHA-1/MD5
 *    signatures. Under `weakCredentials: 'Warn'` (default) they are returned as findings by
 *    {@link inspectTlsSecret}; under `'Refuse'` the first is thrown (`WeakKey`, `WeakSignature`).
 */
import { Buffer } from 'node:buffer';
import { createPublicKey, X509Certificate } from 'node:crypto';
import { SecretValue, type Deployment } from '../deployment.ts';
import { checkChainBytes, checkChainCount, DEFAULT_MAX_CHAIN_BYTES, DEFAULT_MAX_CHAIN_CERTIFICATES } from './chain-limits.ts';
import { orderChain } from './chain-order.ts';
import { describeCertificate, dnsNamesOf, fingerprintOf, undecodablePartOf } from './certificate-facts.ts';
import { InvalidCertificateError, InvalidCertificateReason as Reason, type TlsSecretField } from './errors.ts';
import { encodePem, scanPem, type PemBlock } from './pem.ts';
import { parsePrivateKey } from './private-key.ts';
import { applyStrengthPolicy, assessStrength, type WeakCredentialPolicy, type Weakness } from './strength.ts';

/** One Secret value: bytes as the Kubernetes client returns them decoded, or text. */
export type SecretField = Uint8Array | string;

/** The data of a `kubernetes.io/tls` Secret (base64 already decoded). */
export interface TlsSecretData {
  readonly 'tls.crt'?: SecretField | undefined;
  readonly 'tls.key'?: SecretField | undefined;
  readonly 'ca.crt'?: SecretField | undefined;
}

export interface ParseTlsSecretOptions {
  /** The instant validity is judged at. Injected so results are reproducible. */
  readonly now: Date;
  /** Per-field size limit in bytes. A real chain is a few KiB; the default is generous. */
  readonly maxBytes?: number;
  /** Certificate blocks allowed in `tls.crt` + `ca.crt` together (default 32). */
  readonly maxChainCertificates?: number;
  /** Bytes allowed in `tls.crt` + `ca.crt` together (default 64 KiB). */
  readonly maxChainBytes?: number;
  /** What a weak key or signature does: `Warn` (default, a finding) or `Refuse` (thrown). */
  readonly weakCredentials?: WeakCredentialPolicy;
}

/** A valid credential and what is weak about it (empty when nothing is). */
export interface InspectedTlsSecret {
  readonly deployment: Deployment;
  readonly weaknesses: readonly Weakness[];
}

/** 1 MiB: the Kubernetes Secret size limit, so any larger field is certainly not a real one. */
export const DEFAULT_MAX_FIELD_BYTES = 1024 * 1024;

/** The byte size of a field as stored, without copying it (0 when absent or not bytes). */
function sizeOf(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  return value instanceof Uint8Array ? value.byteLength : 0;
}

/** Size-checks and decodes one field. Latin-1 maps every byte, so no input can fail decoding. */
function readField(data: TlsSecretData, field: TlsSecretField, maxBytes: number): string | undefined {
  const value: unknown = data[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
    throw new InvalidCertificateError(Reason.NotPem, `${field}: expected bytes or a string, got ${typeof value}`, field);
  }
  // Measure before copying anything, so an oversize field costs no allocation.
  const size = typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.byteLength;
  if (size > maxBytes) {
    throw new InvalidCertificateError(Reason.Oversize, `${field}: ${size} bytes exceeds the limit of ${maxBytes} bytes`, field);
  }
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return bytes.toString('latin1');
}

function blocksOf(text: string, field: TlsSecretField): PemBlock[] {
  const blocks = scanPem(text, field);
  if (blocks.length === 0) {
    const first = text.trimStart().charCodeAt(0);
    const hint = first === 0x30 ? ' (it looks like binary DER; PEM-encode it)' : '';
    throw new InvalidCertificateError(Reason.NotPem, `${field}: no PEM block (-----BEGIN …-----) found${hint}`, field);
  }
  return blocks;
}

/** The certificate's SubjectPublicKeyInfo DER, or undefined for a key type Node cannot load. */
function spkiOf(cert: X509Certificate): Buffer | undefined {
  try {
    return cert.publicKey.export({ type: 'spki', format: 'der' });
  } catch {
    return undefined;
  }
}

/** Inside the validity window at `now` (ms); both bounds inclusive, as RFC 5280 says. */
function isCurrent(cert: X509Certificate, now: number): boolean {
  return cert.validFromDate.getTime() <= now && now <= cert.validToDate.getTime();
}

function certificatesOf(blocks: readonly PemBlock[], field: TlsSecretField): X509Certificate[] {
  const certBlocks = blocks.filter((b) => b.label === 'CERTIFICATE');
  if (certBlocks.length === 0) {
    const swapped = field === 'tls.crt' && blocks.some((b) => b.label.includes('PRIVATE KEY'));
    const hint = swapped ? '; it holds a private key: are tls.crt and tls.key swapped?' : '';
    throw new InvalidCertificateError(Reason.MissingCertificate, `${field}: no CERTIFICATE block found${hint}`, field);
  }
  return certBlocks.map((block) => {
    const at = `${field}: the CERTIFICATE block at line ${block.line} is not a valid X.509 certificate`;
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(block.der);
    } catch {
      throw new InvalidCertificateError(Reason.Malformed, at, field);
    }
    // The constructor decodes lazily: read now what later steps read, so a corrupt extension or
    // date is this block's Malformed, not a raw crypto error (or a silent Invalid Date) later.
    const undecodable = undecodablePartOf(cert);
    if (undecodable !== undefined) throw new InvalidCertificateError(Reason.Malformed, `${at}: its ${undecodable} cannot be decoded`, field);
    return cert;
  });
}

/**
 * Validates a TLS Secret and builds the `Deployment` connectors receive. Throws
 * `InvalidCertificateError` (code `CD_ERR_INVALID_CERTIFICATE`, a stable `reason`) for every
 * bad input, including arbitrary bytes; messages never contain key material.
 */
export function parseTlsSecret(data: TlsSecretData, opts: ParseTlsSecretOptions): Deployment {
  return inspectTlsSecret(data, opts).deployment;
}

/**
 * {@link parseTlsSecret}, plus the strength findings the `Warn` policy lets through, so the
 * controller can deploy and still say (as a condition and an Event) what is weak.
 */
export function inspectTlsSecret(data: TlsSecretData, opts: ParseTlsSecretOptions): InspectedTlsSecret {
  const limits = { maxCertificates: opts.maxChainCertificates ?? DEFAULT_MAX_CHAIN_CERTIFICATES, maxBytes: opts.maxChainBytes ?? DEFAULT_MAX_CHAIN_BYTES };
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_FIELD_BYTES;
  const now = opts.now.getTime();
  if (data['tls.crt'] === undefined || data['tls.crt'] === null) {
    throw new InvalidCertificateError(Reason.MissingCertificate, 'the Secret has no tls.crt', 'tls.crt');
  }
  if (data['tls.key'] === undefined || data['tls.key'] === null) {
    throw new InvalidCertificateError(Reason.MissingKey, 'the Secret has no tls.key', 'tls.key');
  }
  const crtText = readField(data, 'tls.crt', maxBytes) as string;
  const keyText = readField(data, 'tls.key', maxBytes) as string;
  const caText = readField(data, 'ca.crt', maxBytes);
  checkChainBytes({ crt: sizeOf(data['tls.crt']), ca: sizeOf(data['ca.crt']) }, limits);
  for (const [field, text] of [['tls.crt', crtText], ['tls.key', keyText]] as const) {
    if (text.trim() === '') throw new InvalidCertificateError(Reason.Empty, `${field} is empty`, field);
  }

  const crtBlocks = blocksOf(crtText, 'tls.crt');
  const caBlocks = caText === undefined || caText.trim() === '' ? [] : blocksOf(caText, 'ca.crt');
  const isCert = (b: PemBlock) => b.label === 'CERTIFICATE';
  checkChainCount({ crt: crtBlocks.filter(isCert).length, ca: caBlocks.filter(isCert).length }, limits);
  const certs = certificatesOf(crtBlocks, 'tls.crt');
  const { key, algorithm } = parsePrivateKey(blocksOf(keyText, 'tls.key'));
  const caCerts = caBlocks.length === 0 ? [] : certificatesOf(caBlocks, 'ca.crt');

  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const matching = certs.filter((cert) => spkiOf(cert)?.equals(spki) === true);
  const leaf = matching.find((cert) => isCurrent(cert, now)) ?? matching[0];
  if (leaf === undefined) {
    const held = certs.slice(0, 3).map(describeCertificate).join('; ');
    const more = certs.length > 3 ? `; and ${certs.length - 3} more` : '';
    throw new InvalidCertificateError(Reason.KeyMismatch, `tls.key does not match any certificate in tls.crt (tls.crt holds ${held}${more})`);
  }
  if (now < leaf.validFromDate.getTime()) {
    throw new InvalidCertificateError(Reason.NotYetValid, `the certificate ${describeCertificate(leaf)} is not valid until ${leaf.validFromDate.toISOString()}`, 'tls.crt');
  }
  if (now > leaf.validToDate.getTime()) {
    throw new InvalidCertificateError(Reason.Expired, `the certificate ${describeCertificate(leaf)} expired at ${leaf.validToDate.toISOString()}`, 'tls.crt');
  }

  const { chain } = orderChain(leaf, [...certs, ...caCerts]);
  const weaknesses = applyStrengthPolicy(assessStrength(key, chain), opts.weakCredentials ?? 'Warn');
  const certificatePem = encodePem('CERTIFICATE', leaf.raw);
  const deployment: Deployment = Object.freeze({
    fingerprint: fingerprintOf(leaf),
    certificatePem,
    chainPem: Object.freeze(chain.map((cert) => encodePem('CERTIFICATE', cert.raw))),
    privateKey: new SecretValue(key.export({ type: 'pkcs8', format: 'pem' }) as string),
    keyAlgorithm: algorithm,
    notBefore: leaf.validFromDate,
    notAfter: leaf.validToDate,
    dnsNames: Object.freeze(dnsNamesOf(leaf)),
  });
  return { deployment, weaknesses: Object.freeze([...weaknesses]) };
}

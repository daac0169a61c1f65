/**
 * Test fixture: re-encodes a minted PKCS#8 key and certificate PEMs into the shapes real
 * Secrets hold — PKCS#1, SEC1 (with and without `EC PARAMETERS`), passphrase-protected
 * PKCS#8 and legacy `Proc-Type` keys, CRLF files, `openssl pkcs12` bag attributes — using
 * node:crypto, the same OpenSSL encoder the `openssl` CLI uses.
 */
import { Buffer } from 'node:buffer';
import { createPrivateKey, X509Certificate } from 'node:crypto';

/** PKCS#1 `BEGIN RSA PRIVATE KEY` (what `openssl genrsa -traditional` writes). RSA keys only. */
export function toPkcs1Pem(pkcs8Pem: string): string {
  return createPrivateKey(pkcs8Pem).export({ type: 'pkcs1', format: 'pem' }) as string;
}

/** The named-curve OIDs `openssl ecparam -name … -genkey` writes as an `EC PARAMETERS` block. */
const EC_PARAMETERS: Readonly<Record<string, string>> = {
  prime256v1: 'BggqhkjOPQMBBw==',
  secp384r1: 'BgUrgQQAIg==',
  secp521r1: 'BgUrgQQAIw==',
};

/** SEC1 `BEGIN EC PRIVATE KEY`, optionally preceded by `EC PARAMETERS` like `openssl ecparam -genkey`. */
export function toSec1Pem(pkcs8Pem: string, opts: { withParameters?: boolean } = {}): string {
  const key = createPrivateKey(pkcs8Pem);
  const sec1 = key.export({ type: 'sec1', format: 'pem' }) as string;
  if (opts.withParameters !== true) return sec1;
  const oid = EC_PARAMETERS[key.asymmetricKeyDetails?.namedCurve ?? ''];
  if (oid === undefined) throw new Error('toSec1Pem: no EC PARAMETERS known for this curve');
  return `-----BEGIN EC PARAMETERS-----\n${oid}\n-----END EC PARAMETERS-----\n${sec1}`;
}

/** PKCS#8 `BEGIN ENCRYPTED PRIVATE KEY` (PBES2/AES-256-CBC), as `openssl pkcs8 -topk8` writes. */
export function toEncryptedPkcs8Pem(pkcs8Pem: string, passphrase = 'test-passphrase'): string {
  return createPrivateKey(pkcs8Pem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }) as string;
}

/** Legacy OpenSSL encryption: `Proc-Type: 4,ENCRYPTED` + `DEK-Info` headers in a PKCS#1/SEC1 block. */
export function toLegacyEncryptedPem(pkcs8Pem: string, passphrase = 'test-passphrase'): string {
  const key = createPrivateKey(pkcs8Pem);
  const type = key.asymmetricKeyType === 'rsa' ? 'pkcs1' : 'sec1';
  return key.export({ type, format: 'pem', cipher: 'aes-128-cbc', passphrase }) as string;
}

/** Windows line endings throughout. */
export function withCrlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

/** Prefixes each certificate with the text `openssl pkcs12 -nokeys` writes before it. */
export function withBagAttributes(pems: readonly string[]): string {
  return pems
    .map((pem) => {
      const cert = new X509Certificate(pem);
      const oneLine = (dn: string): string => '/' + dn.split('\n').join('/');
      return `Bag Attributes\n    friendlyName: cert-deployer test\n    localKeyID: 01 00 00 00\nsubject=${oneLine(cert.subject)}\nissuer=${oneLine(cert.issuer)}\n${pem}`;
    })
    .join('');
}

/** Prefixes a key with the text `openssl pkcs12 -nocerts -nodes` writes before it. */
export function withKeyBagAttributes(keyPem: string): string {
  return `Bag Attributes\n    localKeyID: 01 00 00 00\n    friendlyName: cert-deployer test\nKey Attributes: <No Attributes>\n${keyPem}`;
}

/** The certificate as raw DER bytes (what a user gets from `openssl x509 -outform der`). */
export function toDer(certPem: string): Buffer {
  return Buffer.from(new X509Certificate(certPem).raw);
}

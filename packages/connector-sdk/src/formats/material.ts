/**
 * Turns a `Deployment` back into parsed objects (leaf, chain, key) for the format helpers.
 *
 * A Deployment from `parseTlsSecret` is already consistent, but the type is an interface and
 * connectors, tests and future sources build them by hand, so every helper re-checks what it
 * relies on: a format built from a wrong key or a non-certificate would be deployed as a
 * broken bundle that only fails at the next TLS handshake. Errors name the field, never its
 * content, and never carry the underlying parser error as `cause` (its message could in
 * principle echo input).
 */
import type { Buffer } from 'node:buffer';
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { isSelfSigned } from '../credential/chain-order.ts';
import type { Deployment } from '../deployment.ts';
import { FormatError, FormatErrorReason } from './errors.ts';

/** The leaf and the certificates that follow it, parsed. */
export interface CertificateMaterial {
  readonly leaf: X509Certificate;
  /** Chain after the leaf (leaf removed wherever it appears, duplicates removed), issuer of the leaf first. */
  readonly issuers: readonly X509Certificate[];
}

function malformed(message: string): FormatError {
  return new FormatError(FormatErrorReason.MalformedDeployment, message);
}

function parseCertificate(pem: unknown, where: string): X509Certificate {
  if (typeof pem !== 'string' || !pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw malformed(`${where} is not a PEM CERTIFICATE block`);
  }
  try {
    return new X509Certificate(pem);
  } catch {
    throw malformed(`${where} is not a valid X.509 certificate`);
  }
}

/** Parses the leaf, `certificatePem`. */
export function loadLeaf(dep: Deployment): X509Certificate {
  return parseCertificate(dep.certificatePem, 'certificatePem');
}

/** Parses `certificatePem` and `chainPem`; the leaf is `certificatePem`, whatever `chainPem[0]` holds. */
export function loadCertificates(dep: Deployment): CertificateMaterial {
  const leaf = loadLeaf(dep);
  if (!Array.isArray(dep.chainPem)) throw malformed('chainPem is not an array of PEM certificates');
  const seen = new Set<string>([leaf.fingerprint256]);
  const issuers: X509Certificate[] = [];
  (dep.chainPem as readonly unknown[]).forEach((pem, index) => {
    const cert = parseCertificate(pem, `chainPem[${index}]`);
    if (seen.has(cert.fingerprint256)) return;
    seen.add(cert.fingerprint256);
    issuers.push(cert);
  });
  return { leaf, issuers };
}

/** `issuers` without a trailing self-signed root: servers should not send the trust anchor. */
export function withoutRoot(issuers: readonly X509Certificate[]): readonly X509Certificate[] {
  const last = issuers[issuers.length - 1];
  return last !== undefined && isSelfSigned(last) ? issuers.slice(0, -1) : issuers;
}

/** Parses the private key. Only the `SecretValue` contract is accepted: a bare string is a caller bug. */
export function loadKey(dep: Deployment): KeyObject {
  const secret = dep.privateKey as unknown;
  if (typeof secret !== 'object' || secret === null || typeof (secret as { reveal?: unknown }).reveal !== 'function') {
    throw malformed('privateKey is not a SecretValue');
  }
  const pem = (secret as { reveal(): unknown }).reveal();
  if (typeof pem !== 'string' || !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    throw malformed('privateKey does not hold a PEM private key');
  }
  if (pem.includes('ENCRYPTED')) throw malformed('privateKey is passphrase-protected; the contract is an unencrypted PKCS#8 key');
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw malformed('privateKey could not be parsed as a private key');
  }
}

/** DER SubjectPublicKeyInfo of a key or certificate: equal bytes mean the same key pair. */
function spkiOf(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

/** Throws `KeyMismatch` unless `key` is the private half of the leaf's public key. */
export function assertKeyMatchesLeaf(key: KeyObject, leaf: X509Certificate): void {
  if (!spkiOf(createPublicKey(key)).equals(spkiOf(leaf.publicKey))) {
    throw new FormatError(FormatErrorReason.KeyMismatch, `privateKey does not belong to the leaf certificate (subject ${JSON.stringify(leaf.subject.replace(/\n/g, ', '))})`);
  }
}

/** Leaf, issuers and a key proven to match: what a bundle (combined PEM, PKCS#12) needs. */
export function loadBundle(dep: Deployment): CertificateMaterial & { readonly key: KeyObject } {
  const certs = loadCertificates(dep);
  const key = loadKey(dep);
  assertKeyMatchesLeaf(key, certs.leaf);
  return { ...certs, key };
}

/** The key's type for messages, e.g. `ec (prime256v1)`: names the algorithm, never the key. */
export function describeKeyType(key: KeyObject): string {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return `${key.asymmetricKeyType ?? 'unknown'}${curve === undefined ? '' : ` (${curve})`}`;
}

/**
 * The private key in the PEM encodings targets ask for. The Deployment stores PKCS#8
 * (`BEGIN PRIVATE KEY`), which every current server reads; some targets still want the
 * algorithm-specific "traditional" forms: PKCS#1 (`BEGIN RSA PRIVATE KEY`) for older appliance
 * and Java tooling, SEC1 (`BEGIN EC PRIVATE KEY`) for the EC equivalent.
 *
 * All encoding is node:crypto (`KeyObject.export`), i.e. OpenSSL's own encoders — the same
 * bytes `openssl pkey -traditional` writes. Results are wrapped in `SecretValue`.
 */
import type { KeyObject } from 'node:crypto';
import { SecretValue, type Deployment } from '../deployment.ts';
import { FormatError, FormatErrorReason } from './errors.ts';
import { describeKeyType, loadKey } from './material.ts';

function exportPem(key: KeyObject, type: 'pkcs8' | 'pkcs1' | 'sec1'): SecretValue {
  return new SecretValue(key.export({ type, format: 'pem' }) as string);
}

/**
 * PKCS#8 `BEGIN PRIVATE KEY` — the stored form, re-encoded rather than passed through so the
 * output is canonical (LF, 64 columns) even for a hand-built Deployment. Any key type.
 */
export function toPkcs8Pem(dep: Deployment): SecretValue {
  return exportPem(loadKey(dep), 'pkcs8');
}

/**
 * PKCS#1 `BEGIN RSA PRIVATE KEY`. RSA only: PKCS#1 has no encoding for other algorithms, so
 * any other key (including RSA-PSS-restricted keys) throws `UnsupportedKeyType`.
 */
export function toPkcs1Pem(dep: Deployment): SecretValue {
  const key = loadKey(dep);
  if (key.asymmetricKeyType !== 'rsa') {
    throw new FormatError(FormatErrorReason.UnsupportedKeyType, `PKCS#1 holds RSA keys only; this key is ${describeKeyType(key)}`);
  }
  return exportPem(key, 'pkcs1');
}

/**
 * SEC1 `BEGIN EC PRIVATE KEY` (RFC 5915, named curve, public key included) — what
 * `openssl ecparam -genkey` writes. EC keys only; Ed25519 has no SEC1 form (it is PKCS#8 only).
 */
export function toSec1Pem(dep: Deployment): SecretValue {
  const key = loadKey(dep);
  if (key.asymmetricKeyType !== 'ec') {
    throw new FormatError(FormatErrorReason.UnsupportedKeyType, `SEC1 holds EC keys only; this key is ${describeKeyType(key)}`);
  }
  return exportPem(key, 'sec1');
}

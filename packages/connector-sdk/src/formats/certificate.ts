/**
 * Certificate-only encodings and identifiers: no key material, so no secret wrapper.
 *
 * Windows-centric targets (IIS bindings, the Windows certificate store, Azure Key Vault's
 * `x5t`/thumbprint) name a certificate by its SHA-1 thumbprint: the SHA-1 of the DER
 * certificate, 40 uppercase hex characters without separators — the form
 * `Get-ChildItem Cert:\LocalMachine\My` prints and `AddSslCertificate()` takes. This is an
 * identifier, not a security check: the project's own idempotency key stays the SHA-256
 * `Deployment.fingerprint`.
 */
import { createHash } from 'node:crypto';
import type { Deployment } from '../deployment.ts';
import { loadLeaf } from './material.ts';

/** The leaf certificate as DER bytes (`openssl x509 -outform der`), a fresh copy each call. */
export function toDerCertificate(dep: Deployment): Uint8Array {
  return Uint8Array.from(loadLeaf(dep).raw);
}

/** SHA-1 thumbprint of the leaf, uppercase hex without colons, e.g. `3F2A…` (40 characters). */
export function thumbprintSha1(dep: Deployment): string {
  return createHash('sha1').update(loadLeaf(dep).raw).digest('hex').toUpperCase();
}

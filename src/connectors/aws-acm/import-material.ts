/**
 * What goes into an ImportCertificate request, and whether what ACM already holds is it.
 * Pure functions of the Deployment and of GetCertificate's answer.
 *
 * ACM wants three separate PEM fields: the leaf, the chain without the leaf ("do not copy
 * your certificate into the certificate chain"), and an unencrypted private key. The key goes
 * in the "traditional" encodings ACM's import guide shows and cert-manager writes by default
 * (PKCS#1 `RSA PRIVATE KEY`, SEC1 `EC PRIVATE KEY`), the forms every ACM importer in the prior
 * art passes through. ACM supports RSA and ECDSA (P-256, P-384, P-521) only; an Ed25519 key is
 * refused here, before any request, with a terminal error.
 */
import { X509Certificate } from 'node:crypto';
import { terminal, fingerprintOf, type Deployment, type SecretValue, toPkcs1Pem, toSec1Pem } from '@cert-deployer/connector-sdk';

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The public parts of an import: leaf PEM and the chain PEM (absent for a lone leaf). */
export interface PublicMaterial {
  readonly certificate: string;
  readonly chain?: string;
}

/** The leaf and the rest of the chain (intermediates, then the root when the Secret had it). */
export function publicMaterial(dep: Deployment): PublicMaterial {
  const rest = dep.chainPem.slice(1);
  return rest.length === 0 ? { certificate: dep.certificatePem } : { certificate: dep.certificatePem, chain: rest.join('') };
}

/** The private key in the encoding ACM imports; terminal for key types ACM does not support. */
export function acmPrivateKey(dep: Deployment): SecretValue {
  switch (dep.keyAlgorithm) {
    case 'rsa':
      return toPkcs1Pem(dep);
    case 'ecdsa-p256':
    case 'ecdsa-p384':
      return toSec1Pem(dep);
    default:
      throw terminal(`ACM does not support ${dep.keyAlgorithm} keys (it imports RSA and ECDSA P-256/P-384/P-521 certificates only); issue this certificate with an RSA or ECDSA key`);
  }
}

/** SHA-256 fingerprints of the PEM certificates in `text`, in order; unparsable blocks are skipped. */
export function certificateFingerprints(text: string): string[] {
  const out: string[] = [];
  for (const block of text.match(CERT_BLOCK) ?? []) {
    try {
      out.push(fingerprintOf(new X509Certificate(block)));
    } catch {
      // Not a certificate we can read: it cannot match anything we would import.
    }
  }
  return out;
}

/**
 * True when ACM holds exactly this deployment: the stored leaf has the deployment's
 * fingerprint and the stored chain begins with the deployment's chain. "Begins with", because
 * ACM may append a root of its own to what GetCertificate returns (moto always does).
 */
export function holdsDeployment(stored: { readonly certificate: string; readonly chain: string }, dep: Deployment): boolean {
  const [leaf] = certificateFingerprints(stored.certificate);
  if (leaf !== dep.fingerprint) return false;
  const want = dep.chainPem.slice(1).flatMap((pem) => certificateFingerprints(pem));
  const have = certificateFingerprints(stored.chain);
  return want.every((fp, i) => have[i] === fp);
}

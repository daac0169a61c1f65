/**
 * The leaf of the chain the API reports (`pemCertificate`, output only): its SHA-256
 * fingerprint is what a deploy compares with the Deployment's to decide "already there".
 */
import { createHash, X509Certificate } from 'node:crypto';

const FIRST_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/;

/** Lowercase hex SHA-256 of the first certificate's DER in `pem`, or null when there is none. */
export function leafFingerprint(pem: string | null | undefined): string | null {
  const block = pem?.match(FIRST_CERTIFICATE)?.[0];
  if (block === undefined) return null;
  try {
    return createHash('sha256').update(new X509Certificate(block).raw).digest('hex');
  } catch {
    return null;
  }
}

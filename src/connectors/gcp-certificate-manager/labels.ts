/**
 * Ownership labels. GCP labels are lowercase, at most 63 characters, so the owner id
 * (`<deployment uid>/<target name>`, with a slash and possibly uppercase or long names) cannot
 * be a label value as is. Its SHA-256, truncated to 40 hex characters (160 bits), is: stable,
 * valid, and unique enough that two targets never claim each other's certificate.
 */
import { createHash } from 'node:crypto';

/** The label that marks a certificate as created and owned by one cert-deployer target. */
export const OWNER_LABEL_KEY = 'certdeployer-owner';
const OWNER_HASH_CHARS = 40;

/** The owner label value for `ownerId`: lowercase hex, valid as a GCP label value. */
export function ownerLabelValue(ownerId: string): string {
  return createHash('sha256').update(ownerId, 'utf8').digest('hex').slice(0, OWNER_HASH_CHARS);
}

/** Whether `labels` (from the API) mark the certificate as owned by `ownerId`. */
export function isOwnedBy(labels: Readonly<Record<string, string>> | null | undefined, ownerId: string): boolean {
  return labels?.[OWNER_LABEL_KEY] === ownerLabelValue(ownerId);
}

/**
 * The labels the certificate should carry: what it has (labels set by others are kept), the
 * configured ones, and the owner label. Pure.
 */
export function desiredLabels(
  current: Readonly<Record<string, string>> | null | undefined,
  configured: Readonly<Record<string, string>> | undefined,
  ownerId: string,
): Record<string, string> {
  return { ...(current ?? {}), ...(configured ?? {}), [OWNER_LABEL_KEY]: ownerLabelValue(ownerId) };
}

/** Whether two label maps hold exactly the same pairs. */
export function sameLabels(a: Readonly<Record<string, string>> | null | undefined, b: Readonly<Record<string, string>>): boolean {
  const left = a ?? {};
  const keys = Object.keys(b);
  return Object.keys(left).length === keys.length && keys.every((k) => left[k] === b[k]);
}

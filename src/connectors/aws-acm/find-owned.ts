/**
 * Finds the certificate this deployment target owns, so that a re-import goes into the same
 * ARN and nothing is imported twice. `ctx.remoteId` (the ARN recorded in status) is tried
 * first and trusted only if it still exists and carries our owner tag; otherwise every
 * imported certificate in the region is listed and its tags read. A lost status write, a
 * controller restart or a GitOps tool that rewrote the object therefore finds the certificate
 * again instead of creating a second one (cert-manager-sync #32, #52).
 *
 * Fail closed: an error while searching (including AccessDenied on ListTagsForCertificate) is
 * thrown, never read as "no certificate", because that reading is exactly what creates
 * duplicates (legalzoom/cert-manager-acm-importer #5).
 */
import type { AcmApi } from './acm-api.ts';
import { isOwnedBy } from './tags.ts';

/** An ARN of an ACM certificate: `arn:<partition>:acm:<region>:<account>:certificate/<id>`. */
const ACM_ARN = /^arn:[a-z-]+:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;

/** What the search found. */
export interface OwnedLookup {
  /** The certificate to re-import into, or `null` when this target owns none. */
  readonly arn: string | null;
  /** Every owned certificate found (more than one only if something else duplicated it). */
  readonly all: readonly string[];
  /** How the ARN was found, for the status message. */
  readonly via: 'status' | 'tag search' | 'none';
}

/** True when `remoteId` looks like an ACM certificate ARN (anything else is ignored). */
export function isAcmArn(remoteId: string | undefined): remoteId is string {
  return remoteId !== undefined && ACM_ARN.test(remoteId);
}

/** True when `arn` exists and carries our owner tag. */
async function ownedByUs(api: AcmApi, arn: string, ownerId: string): Promise<boolean> {
  const tags = await api.listTags(arn);
  return tags !== null && isOwnedBy(tags, ownerId);
}

/** Every imported certificate in the region that carries our owner tag, sorted. */
export async function searchOwned(api: AcmApi, ownerId: string): Promise<string[]> {
  const found: string[] = [];
  for await (const arn of api.importedCertificateArns()) if (await ownedByUs(api, arn, ownerId)) found.push(arn);
  return found.sort();
}

/**
 * The certificate to deploy into. With `exhaustive` (undeploy), the search runs even when the
 * status ARN checks out, so duplicates left by anything else are found too.
 */
export async function findOwned(api: AcmApi, ownerId: string, remoteId: string | undefined, exhaustive = false): Promise<OwnedLookup> {
  const fromStatus = isAcmArn(remoteId) && (await ownedByUs(api, remoteId, ownerId)) ? remoteId : null;
  if (fromStatus !== null && !exhaustive) return { arn: fromStatus, all: [fromStatus], via: 'status' };
  const searched = await searchOwned(api, ownerId);
  const all = fromStatus !== null && !searched.includes(fromStatus) ? [fromStatus, ...searched] : searched;
  if (fromStatus !== null) return { arn: fromStatus, all, via: 'status' };
  const first = all[0];
  return first === undefined ? { arn: null, all, via: 'none' } : { arn: first, all, via: 'tag search' };
}

/**
 * Ownership and user tags on ACM certificates. The owner tag is how the connector finds "its"
 * certificate when status has lost the ARN (a lost status write, a GitOps tool rewriting the
 * object): it is searched for before anything is imported, so a replay never creates a second
 * certificate (cert-manager-sync #32, #52), and `undeploy` deletes only certificates that carry
 * it. Pure functions; the ACM calls live in acm-api.ts.
 */

/** The tag key marking a certificate as created by one CertificateDeployment target. */
export const OWNER_TAG_KEY = 'certdeployer.io/owner';

/** ACM's tag syntax (the Tag shape's documented pattern), for keys and values. */
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const MAX_KEY = 128;
const MAX_VALUE = 256;

/** A tag as the ACM API spells it. */
export interface AcmTag {
  readonly Key: string;
  readonly Value?: string;
}

/** Why `key` cannot be a user tag key, or `null`. */
export function tagKeyProblem(key: string): string | null {
  if (key.length < 1 || key.length > MAX_KEY) return `tag keys are 1 to ${MAX_KEY} characters`;
  if (!TAG_CHARS.test(key)) return 'tag keys may hold letters, digits, spaces and _ . : / = + - @ only';
  if (key.toLowerCase().startsWith('aws:')) return 'tag keys starting with aws: are reserved by AWS';
  if (key === OWNER_TAG_KEY) return `${OWNER_TAG_KEY} is set by the connector and cannot be configured`;
  return null;
}

/** Why `value` cannot be a tag value, or `null`. */
export function tagValueProblem(value: string): string | null {
  if (value.length > MAX_VALUE) return `tag values are at most ${MAX_VALUE} characters`;
  if (!TAG_CHARS.test(value)) return 'tag values may hold letters, digits, spaces and _ . : / = + - @ only';
  return null;
}

/** The tags a certificate of this target should carry: the owner tag plus the configured ones. */
export function desiredTags(ownerId: string, userTags: Readonly<Record<string, string>> | undefined): AcmTag[] {
  return [{ Key: OWNER_TAG_KEY, Value: ownerId }, ...Object.entries(userTags ?? {}).map(([Key, Value]) => ({ Key, Value }))];
}

/** True when `tags` carry the owner tag with exactly `ownerId`. */
export function isOwnedBy(tags: readonly AcmTag[], ownerId: string): boolean {
  return tags.some((t) => t.Key === OWNER_TAG_KEY && t.Value === ownerId);
}

/**
 * The desired tags that are missing or have another value on the certificate. Tags nobody
 * configured are left alone (other tools may own them), so this never removes anything.
 */
export function missingTags(current: readonly AcmTag[], desired: readonly AcmTag[]): AcmTag[] {
  const have = new Map(current.map((t) => [t.Key, t.Value ?? '']));
  return desired.filter((t) => have.get(t.Key) !== (t.Value ?? ''));
}

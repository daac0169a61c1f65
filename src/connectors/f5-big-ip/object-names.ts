/**
 * Pure naming rules for what the connector creates on a BIG-IP. A name carries the prefix,
 * a short hash of the owner id (deployment UID + target name) and the first 12 hex digits of
 * the leaf fingerprint, so:
 * - a replay computes the same names and finds the objects it installed before;
 * - the name is the ownership tag: BIG-IP crypto objects have no free-form tags, and cleanup
 *   deletes only names with this prefix AND this owner, never another deployment's objects,
 *   even when both deploy the same certificate.
 */
import { createHash } from 'node:crypto';

/** The three objects one deployment installs. Chain is absent when there are no CA certificates. */
export interface ObjectNames {
  /** `<prefix>-<owner8>-` : every object of this target starts with it. */
  readonly ownerPrefix: string;
  readonly cert: string;
  readonly key: string;
  readonly chain: string;
}

/** Hex digits of the owner hash in names: 32 bits, enough to tell a namespace's targets apart. */
const OWNER_HASH_LENGTH = 8;
/** Hex digits of the fingerprint in names: 48 bits, and the full fingerprint is checked on read. */
const FINGERPRINT_LENGTH = 12;

/** The short owner hash used in object names. */
export function ownerHash(ownerId: string): string {
  return createHash('sha256').update(ownerId).digest('hex').slice(0, OWNER_HASH_LENGTH);
}

/** Names of the objects for `fingerprint`, owned by `ownerId`. */
export function objectNames(prefix: string, ownerId: string, fingerprint: string): ObjectNames {
  const ownerPrefix = `${prefix}-${ownerHash(ownerId)}-`;
  const base = `${ownerPrefix}${fingerprint.slice(0, FINGERPRINT_LENGTH)}`;
  return { ownerPrefix, cert: `${base}.crt`, key: `${base}.key`, chain: `${base}-chain.crt` };
}

/** `/<partition>/<name>`: how BIG-IP refers to an object in profiles and responses. */
export function fullPath(partition: string, name: string): string {
  return `/${partition}/${name}`;
}

/** `~<partition>~<name>`: the same path as iControl REST puts it in a URL. */
export function urlPath(path: string): string {
  return path.replaceAll('/', '~');
}

/**
 * True when `path` (`/<partition>/<name>`) names an object this target created: in the
 * partition, and starting with this target's owner prefix.
 */
export function isOwnedObject(path: string, partition: string, ownerPrefix: string): boolean {
  return path.startsWith(`/${partition}/${ownerPrefix}`) && !path.slice(partition.length + 2).includes('/');
}

/**
 * A BIG-IP certificate `fingerprint` attribute (`SHA256/AB:CD:…`) as lowercase hex, or null
 * when it is absent or not a SHA-256 fingerprint.
 */
export function parseBigIpFingerprint(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = /^SHA256\/([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){31})$/.exec(value.trim());
  return m?.[1] === undefined ? null : m[1].replaceAll(':', '').toLowerCase();
}

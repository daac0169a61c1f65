/**
 * Pure decisions on what a vault holds under the certificate name, so the rules read in one
 * place and are tested without a vault:
 *
 * - Nothing there → import (the first version creates the object).
 * - Present but the owner tag is missing or names another target → refuse. Another team's
 *   certificate of the same name must never gain a version from us, and it must never be
 *   deleted by our cleanup either.
 * - Ours, enabled, and its `x5t` (SHA-1 of the leaf DER) is the deployment's → nothing to
 *   do: a replay, a restart or a lost status write costs one read and no write.
 * - Ours otherwise (a rotation, A→B→A, a disabled current version) → import a new version.
 *
 * The SHA-1 thumbprint is Key Vault's own identifier for a version's certificate; the
 * project's idempotency key stays the SHA-256 fingerprint (it decides which leaf we want,
 * and the thumbprint is computed from that same leaf).
 */
import { Buffer } from 'node:buffer';
import { OWNER_TAG } from './config.ts';

/** What the vault reports for the latest version, reduced to what the decision needs. */
export interface CurrentVersion {
  readonly tags: Readonly<Record<string, string>> | undefined;
  /** Uppercase hex SHA-1 of the version's certificate, or undefined when the vault gave none. */
  readonly thumbprintSha1: string | undefined;
  readonly enabled: boolean | undefined;
  readonly version: string | undefined;
}

export type VaultDecision =
  | { readonly kind: 'import'; readonly why: 'absent' | 'different-certificate' | 'disabled' }
  | { readonly kind: 'current'; readonly version: string | undefined }
  | { readonly kind: 'foreign'; readonly owner: string | undefined };

/** Uppercase hex of Key Vault's thumbprint bytes (`x5t`, base64url on the wire). */
export function hexThumbprint(bytes: Uint8Array | undefined): string | undefined {
  if (bytes === undefined || bytes.byteLength === 0) return undefined;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex').toUpperCase();
}

/** Whether `current` was created by the target `ownerId`. */
export function isOwnedBy(current: Pick<CurrentVersion, 'tags'>, ownerId: string): boolean {
  return current.tags?.[OWNER_TAG] === ownerId;
}

/** The decision for deploying the leaf with `wantThumbprint` (uppercase hex SHA-1) as `ownerId`. */
export function decide(current: CurrentVersion | null, wantThumbprint: string, ownerId: string): VaultDecision {
  if (current === null) return { kind: 'import', why: 'absent' };
  if (!isOwnedBy(current, ownerId)) return { kind: 'foreign', owner: current.tags?.[OWNER_TAG] };
  if (current.thumbprintSha1 !== wantThumbprint.toUpperCase()) return { kind: 'import', why: 'different-certificate' };
  if (current.enabled === false) return { kind: 'import', why: 'disabled' };
  return { kind: 'current', version: current.version };
}

/** The tags every imported version carries: the user's, then the owner tag (which wins). */
export function versionTags(userTags: Readonly<Record<string, string>> | undefined, ownerId: string): Record<string, string> {
  return { ...userTags, [OWNER_TAG]: ownerId };
}

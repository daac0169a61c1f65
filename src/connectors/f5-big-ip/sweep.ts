/**
 * Deletes this target's stale objects: every cert and key object in the partition whose name
 * carries this target's owner prefix, except the ones to keep (what the profile now uses).
 * That covers the previous certificate after a swap and anything an interrupted attempt left
 * behind. Objects without the prefix and owner — the factory default, a certificate someone
 * installed by hand, another deployment's objects — are never touched, and BIG-IP itself
 * refuses to delete an object a profile still references.
 */
import { deleteObject, listObjects, type CryptoKind } from './crypto-objects.ts';
import type { IControlClient } from './icontrol-client.ts';
import { isOwnedObject } from './object-names.ts';

export interface SweepResult {
  readonly deleted: readonly string[];
  /** Owned objects BIG-IP refused to delete (still referenced somewhere). */
  readonly refused: readonly string[];
}

/** Lists and deletes the stale owned objects; listing or deleting errors propagate to the caller. */
export async function sweepOwnedObjects(
  api: IControlClient,
  opts: { readonly partition: string; readonly ownerPrefix: string; readonly keep: ReadonlySet<string>; readonly signal: AbortSignal },
): Promise<SweepResult> {
  const deleted: string[] = [];
  const refused: string[] = [];
  // Certificates first: a key is the more sensitive object, but neither depends on the other.
  for (const kind of ['cert', 'key'] as const satisfies readonly CryptoKind[]) {
    const stale = (await listObjects(api, kind, opts.signal)).filter((p) => isOwnedObject(p, opts.partition, opts.ownerPrefix) && !opts.keep.has(p));
    for (const path of stale) {
      const outcome = await deleteObject(api, kind, path, opts.signal);
      if (outcome === 'deleted') deleted.push(path);
      else if (outcome === 'refused') refused.push(path);
    }
  }
  return { deleted, refused };
}

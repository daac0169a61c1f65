/**
 * Work-queue keys in client-go's `MetaNamespaceKeyFunc` format: `namespace/name`, or `name`
 * for cluster-scoped objects. Queues carry keys, never objects, so a reconcile always re-reads
 * the latest state instead of acting on a stale event payload.
 */

/** The metadata every keyed object has. */
export interface ObjectMetaLike {
  metadata?: { name?: string; namespace?: string };
}

/** `namespace/name` (or `name`); throws a TypeError when the object has no name. */
export function objectKey(obj: ObjectMetaLike): string {
  const name = obj.metadata?.name;
  if (!name) throw new TypeError('object has no metadata.name, so it cannot be keyed');
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${name}` : name;
}

/** Inverse of {@link objectKey}; `namespace` is undefined for cluster-scoped keys. */
export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const i = key.indexOf('/');
  if (i < 0) return { namespace: undefined, name: key };
  if (i === 0 || i === key.length - 1 || key.indexOf('/', i + 1) >= 0) {
    throw new TypeError(`malformed object key ${JSON.stringify(key)}: want "namespace/name" or "name"`);
  }
  return { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

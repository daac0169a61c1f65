/**
 * The informer's local store: key → latest object, plus the change each write represents.
 * Keeping the previous object is what lets update handlers see old and new (client-node's
 * informer only passes the new one). Pure and synchronous.
 */
import { objectKey, type ObjectMetaLike } from './object-key.ts';

/** An object the cache can hold. */
export interface CachedObject extends ObjectMetaLike {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

/** What a cache write changed. */
export type CacheChange<T> =
  | { type: 'add'; key: string; obj: T }
  | { type: 'update'; key: string; old: T; obj: T }
  | { type: 'delete'; key: string; obj: T };

/** Map-backed store keyed by `namespace/name`. */
export class ObjectCache<T extends CachedObject> {
  readonly #items = new Map<string, T>();

  /** The object stored under `namespace/name`. */
  get(key: string): T | undefined {
    return this.#items.get(key);
  }

  /** A snapshot of all objects. */
  list(): T[] {
    return [...this.#items.values()];
  }

  /** A snapshot of all keys. */
  keys(): string[] {
    return [...this.#items.keys()];
  }

  /** Number of objects held. */
  get size(): number {
    return this.#items.size;
  }

  /**
   * Adds or replaces the object. Returns undefined for a replay of the version already held
   * (same resourceVersion), which happens when a watch resumes or a relist finds no change.
   */
  upsert(obj: T): CacheChange<T> | undefined {
    const key = objectKey(obj);
    const old = this.#items.get(key);
    this.#items.set(key, obj);
    if (old === undefined) return { type: 'add', key, obj };
    const rv = obj.metadata?.resourceVersion;
    if (rv !== undefined && rv === old.metadata?.resourceVersion) return undefined;
    return { type: 'update', key, old, obj };
  }

  /** Removes the object's key; `obj` (the final state the server sent) is what handlers see. */
  remove(obj: T): CacheChange<T> | undefined {
    const key = objectKey(obj);
    if (!this.#items.delete(key)) return undefined;
    return { type: 'delete', key, obj };
  }

  /**
   * Makes the cache equal to a fresh list and returns the difference: adds, updates (changed
   * resourceVersion) and deletes (keys no longer listed) — the events a watch gap hid.
   */
  replace(objs: readonly T[]): CacheChange<T>[] {
    const changes: CacheChange<T>[] = [];
    const seen = new Set<string>();
    for (const obj of objs) {
      seen.add(objectKey(obj));
      const change = this.upsert(obj);
      if (change !== undefined) changes.push(change);
    }
    for (const [key, obj] of this.#items) {
      if (seen.has(key)) continue;
      this.#items.delete(key);
      changes.push({ type: 'delete', key, obj });
    }
    return changes;
  }
}

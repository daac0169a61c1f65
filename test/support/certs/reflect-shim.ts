/**
 * A minimal Reflect metadata polyfill. @peculiar/x509 uses tsyringe, which refuses to load
 * unless `Reflect.getMetadata` exists, and the project has no `reflect-metadata` dependency.
 * tsyringe only needs define/get/getOwn; this gives exactly that, keyed by WeakMap, and
 * installs nothing when a real polyfill is already present. Import it before @peculiar/x509.
 */

type Key = unknown;
const store = new WeakMap<object, Map<Key, unknown>>();
const reflect = Reflect as unknown as Record<string, unknown>;

if (typeof reflect.getMetadata !== 'function') {
  reflect.defineMetadata = (key: Key, value: unknown, target: object): void => {
    let map = store.get(target);
    if (map === undefined) store.set(target, (map = new Map()));
    map.set(key, value);
  };
  reflect.getOwnMetadata = (key: Key, target: object): unknown => store.get(target)?.get(key);
  reflect.getMetadata = (key: Key, target: object): unknown => {
    for (let at: object | null = target; at !== null; at = Object.getPrototypeOf(at) as object | null) {
      const map = store.get(at);
      if (map?.has(key) === true) return map.get(key);
    }
    return undefined;
  };
  reflect.hasMetadata = (key: Key, target: object): boolean => (reflect.getMetadata as (k: Key, t: object) => unknown)(key, target) !== undefined;
  reflect.metadata =
    (key: Key, value: unknown) =>
    (target: object): void =>
      (reflect.defineMetadata as (k: Key, v: unknown, t: object) => void)(key, value, target);
}

export {};

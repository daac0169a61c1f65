import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../src/core/backoff.ts';
import { ObjectCache } from '../../../src/controller/runtime/object-cache.ts';
import { objectKey, splitKey } from '../../../src/controller/runtime/object-key.ts';

const obj = (name: string, rv: string, namespace = 'ns') => ({ metadata: { name, namespace, resourceVersion: rv } });

describe('ObjectCache', () => {
  it('reports add, update with the old object, replay as no change, and delete', () => {
    const c = new ObjectCache<ReturnType<typeof obj>>();
    expect(c.upsert(obj('a', '1'))).toEqual({ type: 'add', key: 'ns/a', obj: obj('a', '1') });
    expect(c.upsert(obj('a', '1'))).toBeUndefined();
    expect(c.upsert(obj('a', '2'))).toEqual({ type: 'update', key: 'ns/a', old: obj('a', '1'), obj: obj('a', '2') });
    expect(c.remove(obj('a', '3'))).toEqual({ type: 'delete', key: 'ns/a', obj: obj('a', '3') });
    expect(c.remove(obj('a', '3'))).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('replace() returns exactly the changes a watch gap hid', () => {
    const c = new ObjectCache<ReturnType<typeof obj>>();
    c.replace([obj('keep', '1'), obj('change', '1'), obj('gone', '1')]);
    const changes = c.replace([obj('keep', '1'), obj('change', '2'), obj('new', '5')]);
    expect(changes.map((ch) => `${ch.type} ${ch.key}`).sort()).toEqual(['add ns/new', 'delete ns/gone', 'update ns/change']);
    expect(c.keys().sort()).toEqual(['ns/change', 'ns/keep', 'ns/new']);
    expect(c.get('ns/change')?.metadata.resourceVersion).toBe('2');
  });
});

describe('objectKey / splitKey', () => {
  it('round-trips namespaced and cluster-scoped keys', () => {
    expect(objectKey({ metadata: { name: 'a', namespace: 'ns' } })).toBe('ns/a');
    expect(objectKey({ metadata: { name: 'node1' } })).toBe('node1');
    expect(splitKey('ns/a')).toEqual({ namespace: 'ns', name: 'a' });
    expect(splitKey('node1')).toEqual({ namespace: undefined, name: 'node1' });
  });

  it('rejects unnamed objects and malformed keys', () => {
    expect(() => objectKey({ metadata: {} })).toThrow(/no metadata.name/);
    for (const bad of ['/a', 'ns/', 'a/b/c']) expect(() => splitKey(bad)).toThrow(/malformed object key/);
  });
});

describe('backoffDelay', () => {
  it('grows by the factor from the initial delay and caps at the max', () => {
    const p = { initialMs: 800, maxMs: 30_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 100].map((n) => backoffDelay(n, p, () => 0))).toEqual([800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
  });

  it('adds up to jitter × delay', () => {
    const p = { initialMs: 100, maxMs: 1000, jitter: 1 };
    expect(backoffDelay(1, p, () => 0)).toBe(100);
    expect(backoffDelay(1, p, () => 0.5)).toBe(150);
    expect(backoffDelay(10, p, () => 0.999)).toBeCloseTo(1999, 0);
  });
});

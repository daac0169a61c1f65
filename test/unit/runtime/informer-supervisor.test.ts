/**
 * Edge cases of the informer loop that a real API server cannot be made to produce on demand
 * (a watch that silently goes quiet, a server that keeps failing): driven through a scripted
 * transport and a fake clock. The real-server behaviour is in
 * test/integration/runtime/informer-supervisor.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, flushMicrotasks } from '../../../src/core/fake-clock.ts';
import { InformerSupervisor, StaleWatchError } from '../../../src/controller/runtime/informer-supervisor.ts';
import { KubeApiError } from '../../../src/controller/runtime/kube-errors.ts';
import type { KubeTransport, ListPage, Query, WatchEvent } from '../../../src/controller/runtime/kube-transport.ts';

interface Obj {
  metadata: { name: string; namespace?: string; resourceVersion?: string };
  data?: Record<string, string>;
}

type WatchScript = (query: Query, signal: AbortSignal) => Promise<AsyncIterable<WatchEvent<Obj>>>;

/** A watch stream the test pushes events into; ends or fails on command or on abort. */
function channel(signal: AbortSignal): { stream: AsyncIterable<WatchEvent<Obj>>; push(ev: WatchEvent<Obj>): void; end(): void } {
  const queue: WatchEvent<Obj>[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  signal.addEventListener('abort', () => wake?.());
  return {
    push: (ev) => { queue.push(ev); wake?.(); },
    end: () => { ended = true; wake?.(); },
    stream: {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          if (signal.aborted) throw signal.reason;
          const ev = queue.shift();
          if (ev) { yield ev; continue; }
          if (ended) return;
          await new Promise<void>((r) => (wake = r));
        }
      },
    },
  };
}

function scripted(listItems: () => Obj[], watch: WatchScript): { transport: KubeTransport; lists: Query[]; watches: Query[] } {
  const lists: Query[] = [];
  const watches: Query[] = [];
  let rv = 100;
  const transport: KubeTransport = {
    async list<T>(_path: string, query: Query) {
      lists.push(query);
      return { items: listItems(), metadata: { resourceVersion: String(++rv) } } as unknown as ListPage<T>;
    },
    async watch<T>(_path: string, query: Query, signal: AbortSignal) {
      watches.push(query);
      return (await watch(query, signal)) as unknown as AsyncIterable<WatchEvent<T>>;
    },
  };
  return { transport, lists, watches };
}

const hang = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => (signal.aborted ? reject(signal.reason) : signal.addEventListener('abort', () => reject(signal.reason))));

describe('InformerSupervisor (scripted transport)', () => {
  it('lists with the selectors, then watches from the list resourceVersion with bookmarks', async () => {
    const clock = new FakeClock();
    const { transport, lists, watches } = scripted(() => [{ metadata: { name: 'a', namespace: 'ns', resourceVersion: '5' } }], (_q, s) => hang(s));
    const inf = new InformerSupervisor<Obj>({ name: 't', transport, path: '/x', labelSelector: 'app=x', fieldSelector: 'type=kubernetes.io/tls', clock });
    inf.start();
    await inf.waitForSync();
    await flushMicrotasks();
    expect(lists[0]).toMatchObject({ labelSelector: 'app=x', fieldSelector: 'type=kubernetes.io/tls', limit: 500 });
    expect(watches[0]).toMatchObject({ resourceVersion: '101', allowWatchBookmarks: true, labelSelector: 'app=x', fieldSelector: 'type=kubernetes.io/tls' });
    expect(inf.keys()).toEqual(['ns/a']);
    await inf.stop();
  });

  it('declares a silent watch stale, reconnects, and reports stale while reconnecting fails to get through', async () => {
    const clock = new FakeClock();
    const errors: Error[] = [];
    let opened = 0;
    const { transport, watches } = scripted(() => [], async (_q, signal) => {
      opened++;
      if (opened === 1) return channel(signal).stream; // connects, then never says anything
      return hang(signal); // the reconnect never gets an answer
    });
    const inf = new InformerSupervisor<Obj>({ name: 't', transport, path: '/x', clock, staleAfterMs: 10_000, random: () => 0, onError: (e) => errors.push(e) });
    inf.start();
    await inf.waitForSync();
    await clock.advance(9_999);
    expect(inf.health()).toMatchObject({ stale: false, watching: true });
    await clock.advance(1);
    expect(errors[0]).toBeInstanceOf(StaleWatchError);
    await clock.advance(800); // backoff, then the hanging reconnect
    expect(watches.length).toBe(2);
    await clock.advance(9_500);
    expect(inf.health()).toMatchObject({ stale: true, watching: false });
    await inf.stop();
    expect(inf.health().stale).toBe(false); // not running: nothing is expected to arrive
  });

  it('a bookmark counts as activity and moves the resourceVersion the next watch resumes from', async () => {
    const clock = new FakeClock();
    const chans: Array<ReturnType<typeof channel>> = [];
    const { transport, watches } = scripted(() => [], async (_q, signal) => {
      const c = channel(signal);
      chans.push(c);
      return c.stream;
    });
    const inf = new InformerSupervisor<Obj>({ name: 't', transport, path: '/x', clock, staleAfterMs: 10_000 });
    inf.start();
    await inf.waitForSync();
    await clock.advance(8_000);
    chans[0]!.push({ type: 'BOOKMARK', object: { metadata: { name: '', resourceVersion: '777' } } });
    await clock.advance(8_000);
    expect(inf.health().stale).toBe(false);
    chans[0]!.push({ type: 'ADDED', object: { metadata: { name: 'x', namespace: 'ns', resourceVersion: '778' } } });
    chans[0]!.end();
    await flushMicrotasks();
    expect(watches[1]).toMatchObject({ resourceVersion: '778' });
    expect(inf.health().resourceVersion).toBe('778');
    await inf.stop();
  });

  it('backs off exponentially while the watch keeps failing, and resets after a healthy watch', async () => {
    const clock = new FakeClock();
    let attempt = 0;
    const { transport, watches } = scripted(() => [], async (_q, signal) => {
      attempt++;
      if (attempt <= 3) throw new KubeApiError(503, 'ServiceUnavailable', 'watch: unavailable');
      return channel(signal).stream;
    });
    const inf = new InformerSupervisor<Obj>({ name: 't', transport, path: '/x', clock, random: () => 0 });
    inf.start();
    await inf.waitForSync();
    const gaps: number[] = [];
    for (let i = 0; i < 3; i++) {
      await flushMicrotasks();
      gaps.push(clock.nextTimerAt()! - clock.now());
      await clock.runNext();
    }
    expect(gaps).toEqual([800, 1600, 3200]);
    expect(watches.length).toBe(4);
    expect(inf.health()).toMatchObject({ watching: true, consecutiveFailures: 3, lastError: 'watch: watch: unavailable' });
    await inf.stop();
  });

  it('on a 410 ERROR event relists at once and emits what the gap hid', async () => {
    const clock = new FakeClock();
    let items: Obj[] = [{ metadata: { name: 'old', namespace: 'ns', resourceVersion: '1' } }];
    const chans: Array<ReturnType<typeof channel>> = [];
    const { transport, lists } = scripted(() => items, async (_q, signal) => {
      const c = channel(signal);
      chans.push(c);
      return c.stream;
    });
    const seen: string[] = [];
    const inf = new InformerSupervisor<Obj>({
      name: 't', transport, path: '/x', clock,
      handlers: { onAdd: (o) => seen.push(`add ${o.metadata.name}`), onDelete: (o) => seen.push(`delete ${o.metadata.name}`) },
    });
    inf.start();
    await inf.waitForSync();
    await flushMicrotasks();
    items = [{ metadata: { name: 'new', namespace: 'ns', resourceVersion: '9' } }];
    chans[0]!.push({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' } as unknown as Obj });
    await flushMicrotasks();
    expect(lists.length).toBe(2);
    expect(clock.pendingTimers()).toBeGreaterThan(0); // the new watch's watchdog, not a backoff sleep
    expect(chans.length).toBe(2);
    expect(seen.sort()).toEqual(['add new', 'add old', 'delete old']);
    expect(inf.health()).toMatchObject({ lists: 2, consecutiveFailures: 0 });
    await inf.stop();
  });

  it('applies transform before caching and survives a throwing handler', async () => {
    const clock = new FakeClock();
    const errors: string[] = [];
    const { transport } = scripted(() => [{ metadata: { name: 's', namespace: 'ns', resourceVersion: '1' }, data: { 'tls.key': 'c2VjcmV0' } }], (_q, s) => hang(s));
    const inf = new InformerSupervisor<Obj>({
      name: 't', transport, path: '/x', clock,
      transform: ({ data: _data, ...rest }) => rest,
      handlers: { onAdd: () => { throw new Error('handler bug'); } },
      onError: (e, phase) => errors.push(`${phase}: ${e.message}`),
    });
    inf.start();
    await inf.waitForSync();
    expect(inf.get('ns/s')).toEqual({ metadata: { name: 's', namespace: 'ns', resourceVersion: '1' } });
    expect(errors).toEqual(['handler: handler bug']);
    await inf.stop();
  });
});

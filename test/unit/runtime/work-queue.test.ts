import { describe, expect, it } from 'vitest';
import { FakeClock, flushMicrotasks } from '../../../src/core/fake-clock.ts';
import { ItemExponentialRateLimiter } from '../../../src/controller/runtime/rate-limiter.ts';
import { WorkQueue } from '../../../src/controller/runtime/work-queue.ts';

function newQueue(clock = new FakeClock()): { q: WorkQueue; clock: FakeClock } {
  return { q: new WorkQueue({ clock, rateLimiter: new ItemExponentialRateLimiter(5, 1000) }), clock };
}

describe('WorkQueue', () => {
  it('de-duplicates keys added before a worker takes them, and hands them out in order', async () => {
    const { q } = newQueue();
    for (const k of ['ns/a', 'ns/b', 'ns/a', 'ns/c', 'ns/b']) q.add(k);
    expect(q.len()).toBe(3);
    expect([await q.get(), await q.get(), await q.get()]).toEqual(['ns/a', 'ns/b', 'ns/c']);
    expect(q.len()).toBe(0);
  });

  it('never hands out a key that is being processed; a re-add is processed again after done()', async () => {
    const { q } = newQueue();
    q.add('ns/a');
    const first = await q.get();
    expect(first).toBe('ns/a');
    q.add('ns/a'); // re-added while processing
    q.add('ns/a'); // and again: still one pending run
    expect(q.len()).toBe(0);
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await flushMicrotasks();
    expect(second).toBeUndefined();
    q.done('ns/a');
    await flushMicrotasks();
    expect(second).toBe('ns/a');
    q.done('ns/a');
    expect(q.len()).toBe(0);
    expect(q.processingCount()).toBe(0);
  });

  it('a waiting get() receives the next added key', async () => {
    const { q } = newQueue();
    const pending = q.get();
    q.add('ns/x');
    expect(await pending).toBe('ns/x');
    expect(q.processingCount()).toBe(1);
  });

  it('addAfter adds only when the delay has elapsed; the earliest pending delay wins', async () => {
    const { q, clock } = newQueue();
    q.addAfter('ns/a', 1000);
    q.addAfter('ns/a', 300); // sooner: replaces
    q.addAfter('ns/a', 5000); // later: ignored
    expect(clock.pendingTimers()).toBe(1);
    await clock.advance(299);
    expect(q.len()).toBe(0);
    await clock.advance(1);
    expect(q.len()).toBe(1);
    await clock.advance(10_000);
    expect(q.len()).toBe(1);
  });

  it('addRateLimited backs off exponentially per key until forget()', async () => {
    const { q, clock } = newQueue();
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      q.addRateLimited('ns/a');
      delays.push(clock.nextTimerAt()! - clock.now());
      await clock.runNext();
      q.done((await q.get())!);
    }
    expect(delays).toEqual([5, 10, 20, 40, 80]);
    expect(q.numRequeues('ns/a')).toBe(5);
    expect(q.numRequeues('ns/b')).toBe(0);
    q.forget('ns/a');
    expect(q.numRequeues('ns/a')).toBe(0);
    q.addRateLimited('ns/a');
    expect(clock.nextTimerAt()! - clock.now()).toBe(5);
  });

  it('shutDown wakes waiting workers, ignores new adds and cancels delayed adds', async () => {
    const { q, clock } = newQueue();
    const waiting = [q.get(), q.get()];
    q.addAfter('ns/later', 100);
    q.shutDown();
    expect(await Promise.all(waiting)).toEqual([undefined, undefined]);
    q.add('ns/a');
    q.addRateLimited('ns/b');
    await clock.advance(1000);
    expect(q.len()).toBe(0);
    expect(await q.get()).toBeUndefined();
    expect(q.shuttingDown()).toBe(true);
  });

  it('shutDownWithDrain resolves only after in-flight keys are done, and starts nothing new', async () => {
    const { q } = newQueue();
    q.add('ns/a');
    q.add('ns/b');
    const a = await q.get();
    let drained = false;
    const drain = q.shutDownWithDrain().then(() => (drained = true));
    await flushMicrotasks();
    expect(drained).toBe(false);
    expect(await q.get()).toBeUndefined(); // ns/b is not started after shutdown
    q.add(a!); // ignored: shutting down
    q.done(a!);
    await drain;
    expect(drained).toBe(true);
  });

  it('shutDown after shutDownWithDrain stops waiting for the drain', async () => {
    const { q } = newQueue();
    q.add('ns/a');
    await q.get();
    const drain = q.shutDownWithDrain();
    q.shutDown();
    await expect(drain).resolves.toBeUndefined();
  });

  it('reports metrics hooks for adds, depth, starts, finishes and retries', async () => {
    const clock = new FakeClock();
    const seen: string[] = [];
    const q = new WorkQueue({
      clock,
      metrics: {
        added: (k) => seen.push(`add ${k}`),
        depth: (n) => seen.push(`depth ${n}`),
        started: (k, ms) => seen.push(`start ${k} ${ms}`),
        finished: (k, ms) => seen.push(`finish ${k} ${ms}`),
        retried: (k) => seen.push(`retry ${k}`),
      },
    });
    q.add('ns/a');
    await clock.advance(7);
    const k = (await q.get())!;
    await clock.advance(3);
    q.done(k);
    q.addRateLimited('ns/a');
    expect(seen).toEqual(['add ns/a', 'depth 1', 'depth 0', 'start ns/a 7', 'finish ns/a 3', 'retry ns/a']);
  });
});

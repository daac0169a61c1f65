import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock, flushMicrotasks } from '../../../src/core/fake-clock.ts';
import { ItemExponentialRateLimiter } from '../../../src/controller/runtime/rate-limiter.ts';
import { runWorkers } from '../../../src/controller/runtime/run-workers.ts';
import { WorkQueue } from '../../../src/controller/runtime/work-queue.ts';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('runWorkers', () => {
  it('rejects a non-positive concurrency with a RangeError', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    await expect(runWorkers(q, 0, () => undefined, new AbortController().signal)).rejects.toThrow(RangeError);
  });

  it('never runs one key twice at once and never exceeds the concurrency (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 40 }),
        async (concurrency, script) => {
          const q = new WorkQueue({ clock: new FakeClock() });
          const running = new Set<string>();
          let maxRunning = 0;
          let violations = 0;
          let processed = 0;
          const ctl = new AbortController();
          const done = runWorkers(q, concurrency, async (key) => {
            if (running.has(key)) violations++;
            running.add(key);
            maxRunning = Math.max(maxRunning, running.size);
            for (let i = 0; i < key.charCodeAt(0) % 3; i++) await tick();
            running.delete(key);
            processed++;
          }, ctl.signal);
          for (const [key, pause] of script) {
            q.add(key);
            for (let i = 0; i < pause; i++) await tick();
          }
          while (q.len() > 0 || q.processingCount() > 0) await tick();
          ctl.abort();
          await done;
          expect(violations).toBe(0);
          expect(maxRunning).toBeLessThanOrEqual(concurrency);
          expect(processed).toBeGreaterThanOrEqual(new Set(script.map(([k]) => k)).size);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('uses all workers when there is enough distinct work', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    const gate = deferred();
    let running = 0;
    let peak = 0;
    const ctl = new AbortController();
    const done = runWorkers(q, 3, async () => {
      running++;
      peak = Math.max(peak, running);
      await gate.promise;
      running--;
    }, ctl.signal);
    for (const k of ['a', 'b', 'c', 'd', 'e']) q.add(k);
    await flushMicrotasks();
    expect(peak).toBe(3);
    gate.resolve();
    ctl.abort();
    await done;
  });

  it('retries a failing key with growing backoff, reports each failure, and forgets it after success', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock, rateLimiter: new ItemExponentialRateLimiter(100, 10_000) });
    let attempts = 0;
    const errors: Array<[string, string, boolean]> = [];
    const ctl = new AbortController();
    const done = runWorkers(q, 1, () => {
      attempts++;
      if (attempts <= 3) throw new Error(`boom ${attempts}`);
    }, ctl.signal, { onError: (key, err, retrying) => errors.push([key, err.message, retrying]) });
    q.add('ns/x');
    await flushMicrotasks();
    const delays: number[] = [];
    while (attempts < 4) {
      delays.push(clock.nextTimerAt()! - clock.now());
      await clock.runNext();
    }
    expect(delays).toEqual([100, 200, 400]);
    expect(errors).toEqual([['ns/x', 'boom 1', true], ['ns/x', 'boom 2', true], ['ns/x', 'boom 3', true]]);
    expect(q.numRequeues('ns/x')).toBe(0);
    ctl.abort();
    await done;
  });

  it('drops a key whose error is terminal instead of retrying it', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    const reported: boolean[] = [];
    const ctl = new AbortController();
    const done = runWorkers(q, 1, () => {
      throw Object.assign(new Error('denied'), { terminal: true });
    }, ctl.signal, {
      isTerminal: (e) => (e as { terminal?: boolean }).terminal === true,
      onError: (_k, _e, retrying) => reported.push(retrying),
    });
    q.add('ns/x');
    await flushMicrotasks();
    expect(reported).toEqual([false]);
    expect(clock.pendingTimers()).toBe(0);
    expect(q.numRequeues('ns/x')).toBe(0);
    ctl.abort();
    await done;
  });

  it('requeues after requeueAfterMs on success', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    let runs = 0;
    const ctl = new AbortController();
    const done = runWorkers(q, 1, () => {
      runs++;
      return { requeueAfterMs: 60_000 };
    }, ctl.signal);
    q.add('ns/x');
    await flushMicrotasks();
    expect(runs).toBe(1);
    await clock.advance(59_999);
    expect(runs).toBe(1);
    await clock.advance(1);
    expect(runs).toBe(2);
    ctl.abort();
    await done;
  });

  it('on abort, lets the in-flight reconcile finish and starts nothing else', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    const gate = deferred();
    const started: string[] = [];
    let finished = 0;
    let signalSeen: AbortSignal | undefined;
    const ctl = new AbortController();
    const done = runWorkers(q, 1, async (key, signal) => {
      started.push(key);
      signalSeen = signal;
      await gate.promise;
      finished++;
    }, ctl.signal);
    q.add('a');
    q.add('b');
    await flushMicrotasks();
    ctl.abort();
    expect(signalSeen?.aborted).toBe(true);
    let returned = false;
    void done.then(() => (returned = true));
    await flushMicrotasks();
    expect(returned).toBe(false);
    gate.resolve();
    await done;
    expect(started).toEqual(['a']);
    expect(finished).toBe(1);
  });
});

describe('runWorkers onActive', () => {
  it('reports how many workers are busy, up to the concurrency and back to 0', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    const seen: number[] = [];
    const gates = new Map<string, () => void>();
    const ctl = new AbortController();
    const done = runWorkers(q, 2, (key) => new Promise<void>((r) => gates.set(key, r)), ctl.signal, { onActive: (n) => seen.push(n) });
    for (const k of ['a', 'b', 'c']) q.add(k);
    await tick();
    expect(seen).toEqual([1, 2]); // c waits: only two workers
    gates.get('a')!();
    await tick();
    await tick();
    gates.get('b')!();
    await tick();
    await tick();
    gates.get('c')!();
    await tick();
    ctl.abort();
    await done;
    expect(Math.max(...seen)).toBe(2);
    expect(seen.at(-1)).toBe(0);
  });
});

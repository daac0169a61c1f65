import { describe, expect, it } from 'vitest';
import { withTimeout, DeadlineError } from '../../../src/core/clock.ts';
import { FakeClock } from '../../../src/core/fake-clock.ts';

describe('FakeClock', () => {
  it('fires timers in due order, including timers scheduled while advancing', async () => {
    const clock = new FakeClock(0);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@20'), 20);
    clock.setTimeout(() => {
      fired.push('a@10');
      clock.setTimeout(() => fired.push('c@15'), 5);
    }, 10);
    const cancelled = clock.setTimeout(() => fired.push('never'), 12);
    cancelled.cancel();
    await clock.advance(25);
    expect(fired).toEqual(['a@10', 'c@15', 'b@20']);
    expect(clock.now()).toBe(25);
  });

  it('sleep resolves at the deadline and rejects promptly on abort', async () => {
    const clock = new FakeClock(0);
    let woke = false;
    void clock.sleep(100).then(() => (woke = true));
    await clock.advance(99);
    expect(woke).toBe(false);
    await clock.advance(1);
    expect(woke).toBe(true);
    const ctl = new AbortController();
    const s = clock.sleep(100, ctl.signal);
    ctl.abort(new Error('stop'));
    await expect(s).rejects.toThrow('stop');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('withTimeout aborts the signal with a DeadlineError on the injected clock and cleans up', async () => {
    const clock = new FakeClock(0);
    const p = withTimeout(clock, 50, undefined, (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))));
    const rejected = expect(p).rejects.toBeInstanceOf(DeadlineError);
    await clock.advance(50);
    await rejected;
    await expect(withTimeout(clock, 50, undefined, async () => 'ok')).resolves.toBe('ok');
    expect(clock.pendingTimers()).toBe(0);
  });
});

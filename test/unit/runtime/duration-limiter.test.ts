/** The core duration parser (the CRD's interval) and the limiter that bounds drift checks. */
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../src/core/duration.ts';
import { createLimiter } from '../../../src/core/limiter.ts';

describe('parseDuration', () => {
  it.each([
    ['1h', 3_600_000], ['30m', 1_800_000], ['10s', 10_000], ['1h30m', 5_400_000], ['2h0m5s', 7_205_000], ['0s', 0],
    ['', undefined], ['1', undefined], ['1d', undefined], ['1.5h', undefined], ['-1h', undefined], ['1m1h', undefined], ['h', undefined],
  ])('%j → %j', (text, ms) => expect(parseDuration(text)).toBe(ms));
});

describe('createLimiter', () => {
  it('never runs more than max at once, and runs everything', async () => {
    const limiter = createLimiter(3);
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await Promise.all(Array.from({ length: 20 }, (_, i) => limiter.run(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, (i % 4) * 2));
      running--;
      done.push(i);
    })));
    expect(peak).toBe(3);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(limiter.active).toBe(0);
  });

  it('releases the slot when a task throws', async () => {
    const limiter = createLimiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(() => Promise.resolve(7))).resolves.toBe(7);
  });
});

import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/fake-clock.ts';
import {
  BucketRateLimiter, ItemExponentialRateLimiter, MaxOfRateLimiter, TokenBucket, defaultControllerRateLimiter,
} from '../../../src/controller/runtime/rate-limiter.ts';

describe('ItemExponentialRateLimiter', () => {
  it('doubles per failure from the base, per item, and caps at the max', () => {
    const l = new ItemExponentialRateLimiter<string>(5, 1000);
    expect(Array.from({ length: 10 }, () => l.when('a'))).toEqual([5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
    expect(l.when('b')).toBe(5);
    expect(l.numRequeues('a')).toBe(10);
  });

  it('forget() restarts the sequence', () => {
    const l = new ItemExponentialRateLimiter<string>(5, 1000);
    l.when('a');
    l.when('a');
    l.forget('a');
    expect(l.numRequeues('a')).toBe(0);
    expect(l.when('a')).toBe(5);
  });

  it('stays at the max instead of overflowing after very many failures', () => {
    const l = new ItemExponentialRateLimiter<string>(5, 1_000_000);
    let last = 0;
    for (let i = 0; i < 2000; i++) last = l.when('a');
    expect(last).toBe(1_000_000);
  });

  it('rejects nonsensical bounds', () => {
    expect(() => new ItemExponentialRateLimiter(0, 10)).toThrow(RangeError);
    expect(() => new ItemExponentialRateLimiter(10, 5)).toThrow(/baseMs <= maxMs/);
  });
});

describe('TokenBucket / BucketRateLimiter', () => {
  it('lets a burst through without delay, then spaces requests at 1/qps', () => {
    const clock = new FakeClock();
    const l = new BucketRateLimiter<string>(clock, 10, 100);
    const delays = Array.from({ length: 103 }, (_, i) => l.when(`k${i}`));
    expect(delays.slice(0, 100).every((d) => d === 0)).toBe(true);
    expect(delays.slice(100).map((d) => Math.round(d))).toEqual([100, 200, 300]);
  });

  it('refills with time', async () => {
    const clock = new FakeClock();
    const b = new TokenBucket(2, 2, clock);
    expect([b.tryTake(), b.tryTake(), b.tryTake()]).toEqual([true, true, false]);
    await clock.advance(500);
    expect([b.tryTake(), b.tryTake()]).toEqual([true, false]);
    await clock.advance(10_000);
    expect(b.isFull()).toBe(true);
  });
});

describe('MaxOfRateLimiter / defaultControllerRateLimiter', () => {
  it('waits for the longest of its limiters and forgets in all of them', () => {
    const clock = new FakeClock();
    const l = new MaxOfRateLimiter<string>(new ItemExponentialRateLimiter(5, 1000), new BucketRateLimiter(clock, 1, 2));
    expect([l.when('a'), l.when('a'), l.when('a')].map(Math.round)).toEqual([5, 10, 1000]);
    expect(l.numRequeues('a')).toBe(3);
    l.forget('a');
    expect(l.numRequeues('a')).toBe(0);
  });

  it('defaults to client-go: 5 ms base for one item, bucket of 100 at 10 qps overall', () => {
    const clock = new FakeClock();
    const l = defaultControllerRateLimiter<string>(clock);
    expect(l.when('x')).toBe(5);
    const overall = Array.from({ length: 100 }, (_, i) => l.when(`k${i}`));
    expect(Math.max(...overall)).toBeCloseTo(100, 5); // 101st token: one refill interval at 10 qps
  });
});

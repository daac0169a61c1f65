/**
 * The re-verification schedule: a fixed phase per target (no randomness to inject), one check
 * per interval on that phase, and 1,000 targets spread evenly over the interval.
 */
import { describe, expect, it } from 'vitest';
import { driftPhase, nextCheckAt } from '../../../../src/controller/drift/schedule.ts';
import { planDrift } from '../../../../src/controller/drift/plan-drift.ts';
import type { TargetStatus } from '../../../../src/crds/status.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-12-05T08:00:00Z');

describe('nextCheckAt', () => {
  it('is deterministic per key and lands on the key\'s phase', () => {
    const a = nextCheckAt(T0, HOUR, 'uid-1/edge');
    expect(nextCheckAt(T0, HOUR, 'uid-1/edge')).toBe(a);
    expect((a - driftPhase('uid-1/edge') * HOUR) % HOUR).toBeCloseTo(0, 3);
  });

  it('after a check on its slot, the next is exactly one interval later', () => {
    const first = nextCheckAt(T0, HOUR, 'k');
    expect(nextCheckAt(first, HOUR, 'k')).toBeCloseTo(first + HOUR, 3);
    expect(nextCheckAt(first + 1_000, HOUR, 'k')).toBeCloseTo(first + HOUR, 3); // a late check keeps the slot
  });

  it('after a deploy, the first check is between half and one and a half intervals later', () => {
    for (let i = 0; i < 200; i++) {
      const at = nextCheckAt(T0, HOUR, `uid/${i}`) - T0;
      expect(at).toBeGreaterThanOrEqual(HOUR / 2);
      expect(at).toBeLessThanOrEqual(1.5 * HOUR);
    }
  });

  it('spreads 1,000 deployments made at the same moment evenly over the interval', () => {
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 1000; i++) {
      const at = nextCheckAt(T0, HOUR, `deployment-${i}-uid/edge`);
      buckets[Math.floor((((at - T0) % HOUR) / HOUR) * 10)]! += 1;
    }
    // Uniform would be 100 per bucket; a burst would put hundreds in one.
    expect(Math.max(...buckets)).toBeLessThan(140);
    expect(Math.min(...buckets)).toBeGreaterThan(60);
  });
});

const settled = (name: string, over: Partial<TargetStatus> = {}): TargetStatus => ({ name, ready: true, fingerprint: 'a'.repeat(64), deployedAt: new Date(T0).toISOString(), ...over });

describe('planDrift', () => {
  it('checks nothing before the slot and says when the next one is due', () => {
    const p = planDrift({ uid: 'u', interval: '1h', driftPolicy: 'Report', settled: [settled('t')], now: T0 + 1_000 });
    expect(p.due).toEqual([]);
    expect(p.nextInMs).toBe(nextCheckAt(T0, HOUR, 'u/t') - (T0 + 1_000));
  });

  it('checks a target once its slot has come', () => {
    const at = nextCheckAt(T0, HOUR, 'u/t');
    expect(planDrift({ uid: 'u', interval: '1h', driftPolicy: 'Report', settled: [settled('t')], now: at }).due).toEqual(['t']);
  });

  it('uses the default interval (1h) when the spec has none, and none at all for 0s', () => {
    const at = nextCheckAt(T0, HOUR, 'u/t');
    expect(planDrift({ uid: 'u', interval: undefined, driftPolicy: 'Report', settled: [settled('t')], now: at }).due).toEqual(['t']);
    expect(planDrift({ uid: 'u', interval: '0s', driftPolicy: 'Report', settled: [settled('t')], now: at + 10 * HOUR })).toEqual({ due: [] });
  });

  it('under Repair, an actionable verdict no repair has answered is checked at once; one already repaired waits for its slot', () => {
    const checkedAt = new Date(T0 + 60_000).toISOString();
    const diverged = { verdict: 'Diverged' as const, fingerprint: 'a'.repeat(64), checkedAt, message: 'x' };
    const now = T0 + 61_000;
    expect(planDrift({ uid: 'u', interval: '1h', driftPolicy: 'Repair', settled: [settled('t', { drift: diverged })], now }).due).toEqual(['t']);
    expect(planDrift({ uid: 'u', interval: '1h', driftPolicy: 'Report', settled: [settled('t', { drift: diverged })], now }).due).toEqual([]);
    const repaired = { ...diverged, lastRepairAt: checkedAt, repairs: 1 };
    expect(planDrift({ uid: 'u', interval: '1h', driftPolicy: 'Repair', settled: [settled('t', { drift: repaired })], now }).due).toEqual([]);
    const unknown = { ...diverged, verdict: 'Unknown' as const };
    expect(planDrift({ uid: 'u', interval: '1h', driftPolicy: 'Repair', settled: [settled('t', { drift: unknown })], now }).due).toEqual([]);
  });
});

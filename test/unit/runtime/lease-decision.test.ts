import { describe, expect, it } from 'vitest';
import {
  canRenewWithoutRead, decideLease, expiresAt, initialRecord, observe, releasedRecord, timingsProblem, type LeaderRecord,
} from '../../../src/controller/runtime/lease-decision.ts';

const T0 = 1_000_000;
const held = (holder: string, extra: Partial<LeaderRecord> = {}): LeaderRecord => ({
  holderIdentity: holder, leaseDurationSeconds: 15, acquireTimeMs: T0 - 60_000, renewTimeMs: T0, leaderTransitions: 3, ...extra,
});

describe('observe', () => {
  it('keeps the first observation time while the record is unchanged, restarts it on change', () => {
    const first = observe(undefined, held('a'), T0);
    expect(observe(first, held('a'), T0 + 5000)).toBe(first);
    const renewed = observe(first, held('a', { renewTimeMs: T0 + 2000 }), T0 + 5000);
    expect(renewed.observedAtMs).toBe(T0 + 5000);
  });
});

describe('decideLease', () => {
  it('waits while another holder\'s lease is valid by local observation time', () => {
    const obs = observe(undefined, held('other'), T0);
    expect(decideLease(obs, 'me', T0 + 14_999, 15)).toEqual({ kind: 'wait', holder: 'other', expiresAtMs: T0 + 15_000 });
  });

  it('ignores the holder\'s own clock: a renewTime far in the past does not make a fresh observation expired', () => {
    const obs = observe(undefined, held('other', { renewTimeMs: T0 - 3_600_000 }), T0);
    expect(decideLease(obs, 'me', T0 + 1000, 15).kind).toBe('wait');
  });

  it('takes over an expired lease, bumping the transition count and restarting acquireTime', () => {
    const obs = observe(undefined, held('other'), T0);
    const d = decideLease(obs, 'me', expiresAt(obs), 15);
    expect(d).toEqual({
      kind: 'write', transition: true,
      record: { holderIdentity: 'me', leaseDurationSeconds: 15, acquireTimeMs: T0 + 15_000, renewTimeMs: T0 + 15_000, leaderTransitions: 4 },
    });
  });

  it('renews its own lease keeping acquireTime and the transition count', () => {
    const obs = observe(undefined, held('me'), T0);
    const d = decideLease(obs, 'me', T0 + 2000, 15);
    expect(d).toEqual({
      kind: 'write', transition: false,
      record: { holderIdentity: 'me', leaseDurationSeconds: 15, acquireTimeMs: T0 - 60_000, renewTimeMs: T0 + 2000, leaderTransitions: 3 },
    });
  });

  it('acquires a released lease at once, without waiting for its duration', () => {
    const leader = observe(undefined, held('other'), T0);
    const released = observe(leader, releasedRecord(leader, T0 + 100), T0 + 100);
    expect(released.record).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1, leaderTransitions: 3 });
    const d = decideLease(released, 'me', T0 + 101, 15);
    expect(d.kind).toBe('write');
    expect(d.kind === 'write' && d.record.leaderTransitions).toBe(4);
  });

  it('initialRecord starts at zero transitions', () => {
    expect(initialRecord('me', T0, 15)).toEqual({ holderIdentity: 'me', leaseDurationSeconds: 15, acquireTimeMs: T0, renewTimeMs: T0, leaderTransitions: 0 });
  });
});

describe('canRenewWithoutRead', () => {
  it('only for our own, locally unexpired lease', () => {
    const mine = observe(undefined, held('me'), T0);
    expect(canRenewWithoutRead(mine, 'me', T0 + 14_000)).toBe(true);
    expect(canRenewWithoutRead(mine, 'me', T0 + 15_000)).toBe(false);
    expect(canRenewWithoutRead(observe(undefined, held('other'), T0), 'me', T0)).toBe(false);
    expect(canRenewWithoutRead(undefined, 'me', T0)).toBe(false);
  });
});

describe('timingsProblem', () => {
  it('accepts client-go defaults and rejects inconsistent timings with the reason', () => {
    expect(timingsProblem({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 })).toBeUndefined();
    expect(timingsProblem({ leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 })).toMatch(/greater than renewDeadline/);
    expect(timingsProblem({ leaseDurationMs: 15_000, renewDeadlineMs: 2_400, retryPeriodMs: 2_000 })).toMatch(/retryPeriod × 1.2/);
    expect(timingsProblem({ leaseDurationMs: 1_500, renewDeadlineMs: 1_000, retryPeriodMs: 500 })).toMatch(/whole number of seconds/);
    expect(timingsProblem({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 0 })).toMatch(/retryPeriod must be > 0/);
  });
});

import { describe, expect, it } from 'vitest';
import type { TargetStatus } from '../../../src/crds/status.ts';
import { decideTarget, DEFAULT_BACKOFF } from '../../../src/controller/decide-target.ts';
import { Reason } from '../../../src/controller/reasons.ts';

const FP = 'a'.repeat(64);
const OLD = 'b'.repeat(64);
const now = Date.parse('2026-11-24T12:00:00Z');
const at = (msAgo: number) => new Date(now - msAgo).toISOString();
const ok: TargetStatus = { name: 't', ready: true, fingerprint: FP, observedGeneration: 3, specHash: 'h3', attempts: 0, reason: Reason.Deployed, lastAttemptAt: at(60_000) };
const decide = (status: TargetStatus | undefined, over: Partial<Parameters<typeof decideTarget>[0]> = {}) =>
  decideTarget({ fingerprint: FP, lastSeenFingerprint: FP, specHash: 'h3', status, now, ...over });

describe('decideTarget (the design table)', () => {
  it('skips a target that holds the fingerprint for the observed generation', () => {
    expect(decide(ok).action).toBe('skip');
  });
  it('deploys a target never deployed', () => {
    expect(decide(undefined).action).toBe('deploy');
  });
  it('deploys on a spec change even when the fingerprint matches', () => {
    expect(decide(ok, { specHash: 'h4' })).toMatchObject({ action: 'deploy', why: 'spec changed' });
  });
  it('deploys when the certificate rotated', () => {
    expect(decide({ ...ok, fingerprint: OLD }, { lastSeenFingerprint: OLD })).toMatchObject({ action: 'deploy' });
  });
  it('backs off a retryable failure exponentially, then retries', () => {
    const failed: TargetStatus = { name: 't', ready: false, observedGeneration: 3, specHash: 'h3', attempts: 3, reason: Reason.TargetUnavailable, lastAttemptAt: at(1_000) };
    const d = decide(failed);
    expect(d.action).toBe('wait');
    expect(d.action === 'wait' && d.delayMs).toBe(20_000 /* 5 s × 2² */ - 1_000);
    expect(decide({ ...failed, lastAttemptAt: at(20_000 /* 5 s × 2² */) }).action).toBe('deploy');
  });
  it('retries terminal failures only on the slow timer', () => {
    const denied: TargetStatus = { name: 't', ready: false, observedGeneration: 3, specHash: 'h3', attempts: 1, reason: Reason.GrantDenied, lastAttemptAt: at(10 * 60_000) };
    expect(decide(denied).action).toBe('wait');
    expect(decide({ ...denied, lastAttemptAt: at(DEFAULT_BACKOFF.terminalRetryMs) }).action).toBe('deploy');
  });
  it('a new certificate ends the backoff of a failing target at once', () => {
    const failed: TargetStatus = { name: 't', ready: false, observedGeneration: 3, specHash: 'h3', attempts: 9, reason: Reason.DeployFailed, lastAttemptAt: at(1) };
    expect(decide(failed, { lastSeenFingerprint: OLD }).action).toBe('deploy');
  });
  it('caps the backoff: after 100 failures the wait is the policy maximum, not more', () => {
    const failing: TargetStatus = { name: 't', ready: false, observedGeneration: 3, specHash: 'h3', attempts: 100, reason: Reason.TargetUnavailable, lastAttemptAt: at(0) };
    const d = decide(failing);
    expect(d.action === 'wait' && d.delayMs).toBe(DEFAULT_BACKOFF.maxMs);
  });
});

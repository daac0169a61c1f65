/** spec.mode as a pure adjustment of the target decision, the Planned status entry, and the CLI's plan section. */
import { describe, expect, it } from 'vitest';
import { decideMode, planIsCurrent } from '../../../src/controller/reconcile/plan-mode.ts';
import { nextTargetStatus } from '../../../src/controller/target-status.ts';
import { Reason } from '../../../src/controller/reasons.ts';
import { renderPlans } from '../../../src/cli/plan-text.ts';
import { renderStatus } from '../../../src/cli/status-table.ts';
import type { TargetStatus } from '../../../src/crds/status.ts';
import type { PlanAction } from '../../../packages/connector-sdk/src/index.ts';

const FP = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);
const deploy = { action: 'deploy', why: 'never deployed' } as const;
const planned = (fingerprint: string, specHash: string): TargetStatus => ({
  name: 't', ready: false, reason: Reason.Planned, specHash, plan: { fingerprint, specHash, plannedAt: '2026-12-05T09:00:00Z', actions: [] },
});

describe('decideMode', () => {
  it('Plan: a target that would deploy is planned instead', () => {
    expect(decideMode('Plan', deploy, undefined, FP, 'h1')).toEqual({ decision: { action: 'deploy', why: 'plan: never deployed' }, planOnly: true });
  });
  it('Plan: a plan for this certificate and spec is not recomputed (no plan loop)', () => {
    expect(decideMode('Plan', deploy, planned(FP, 'h1'), FP, 'h1')).toEqual({ decision: { action: 'skip', why: 'planned for this certificate and spec' }, planOnly: false });
  });
  it('Plan: a new certificate or a spec change re-plans', () => {
    expect(decideMode('Plan', deploy, planned(OTHER, 'h1'), FP, 'h1').planOnly).toBe(true);
    expect(decideMode('Plan', deploy, planned(FP, 'h0'), FP, 'h1').planOnly).toBe(true);
  });
  it('Plan: skip and wait stay as they are', () => {
    const skip = { action: 'skip', why: 'target holds this fingerprint' } as const;
    const wait = { action: 'wait', delayMs: 5, why: 'backoff' } as const;
    expect(decideMode('Plan', skip, undefined, FP, 'h1')).toEqual({ decision: skip, planOnly: false });
    expect(decideMode('Plan', wait, undefined, FP, 'h1')).toEqual({ decision: wait, planOnly: false });
  });
  it('Apply after a plan deploys now (no backoff), saying whether the plan still holds', () => {
    const wait = { action: 'wait', delayMs: 5000, why: 'backing off after 1 failed attempts' } as const;
    expect(decideMode('Apply', wait, planned(FP, 'h1'), FP, 'h1')).toEqual({ decision: { action: 'deploy', why: 'applying the plan (same certificate and spec)' }, planOnly: false });
    expect(decideMode('Apply', wait, planned(OTHER, 'h1'), FP, 'h1').decision.why).toMatch(/stale/);
  });
  it('Apply without a plan changes nothing', () => {
    expect(decideMode('Apply', deploy, undefined, FP, 'h1')).toEqual({ decision: deploy, planOnly: false });
  });
  it('planIsCurrent needs the reason, the fingerprint and the spec hash', () => {
    expect(planIsCurrent(planned(FP, 'h1'), FP, 'h1')).toBe(true);
    expect(planIsCurrent({ ...planned(FP, 'h1'), reason: Reason.Deployed }, FP, 'h1')).toBe(false);
    expect(planIsCurrent(undefined, FP, 'h1')).toBe(false);
  });
});

describe('nextTargetStatus with a plan', () => {
  const actions: PlanAction[] = [{ kind: 'writeFile', path: '/tls/a.crt', material: 'chain', mode: 0o644 }, { kind: 'exec', argv: ['nginx', '-s', 'reload'] }];
  const outcome = { ok: true, reason: Reason.Planned, message: 'plan: …', retryable: false, invoked: true, changed: false, verified: false, plan: { actions, summary: '…' } };
  it('records the plan with what it is for, and keeps what the target held', () => {
    const prev: TargetStatus = { name: 't', ready: true, fingerprint: OTHER, deployedAt: '2026-12-01T00:00:00Z', reason: Reason.Deployed };
    const s = nextTargetStatus({ name: 't', previous: prev, outcome, fingerprint: FP, lastSeenFingerprint: OTHER, generation: 3, specHash: 'h1', now: '2026-12-05T09:00:00Z' });
    expect(s).toMatchObject({ ready: false, fingerprint: OTHER, deployedAt: '2026-12-01T00:00:00Z', reason: Reason.Planned, specHash: 'h1' });
    expect(s.plan).toEqual({ fingerprint: FP, specHash: 'h1', plannedAt: '2026-12-05T09:00:00Z', actions: [actions[0], { kind: 'exec', argv: ['nginx', '-s', 'reload'] }] });
  });
  it('a deploy drops the plan', () => {
    const s = nextTargetStatus({ name: 't', previous: planned(FP, 'h1'), outcome: { ...outcome, reason: Reason.Deployed, plan: undefined, changed: true }, fingerprint: FP, lastSeenFingerprint: FP, generation: 3, specHash: 'h1', now: 'x' });
    expect(s.plan).toBeUndefined();
    expect(s.reason).toBe(Reason.Deployed);
  });
});

describe('kubectl certdeploy status: the plan section', () => {
  it('prints each action of each planned target', () => {
    const text = renderStatus({
      metadata: { name: 'web', namespace: 'default' },
      spec: { mode: 'Plan', targets: [{ name: 'edge', file: {} }] },
      status: { fingerprint: FP, targets: [{ name: 'edge', ready: false, reason: 'Planned', plan: { fingerprint: FP, specHash: 'h1', plannedAt: 'T', actions: [{ kind: 'writeFile', path: '/tls/a.key', material: 'privateKey', mode: 0o600 }, { kind: 'exec', argv: ['/bin/true'] }] } }] },
    });
    expect(text).toContain('Mode:         Plan');
    expect(text).toContain(`Plan for edge (certificate ${FP.slice(0, 12)}, spec h1, at T):`);
    expect(text).toContain('  1. write privateKey to /tls/a.key (mode 0600)');
    expect(text).toContain('  2. run /bin/true');
  });
  it('marks a plan for another certificate stale, and prints nothing without plans in Apply', () => {
    expect(renderPlans('Plan', [{ name: 'x', plan: { fingerprint: OTHER, actions: [] } }], FP)).toContain('[stale: the Secret changed since]');
    expect(renderPlans(undefined, [{ name: 'x' }], FP)).toBe('');
  });
});

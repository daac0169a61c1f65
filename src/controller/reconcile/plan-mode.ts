/**
 * `spec.mode` as a pure adjustment of the per-target decision (decide-target.ts):
 * - Plan: a target that would deploy is planned instead — unless its status already holds a
 *   plan for this very certificate and spec (then it is skipped: no plan loop);
 * - Apply: a target whose last result is a plan deploys now (the backoff of failed attempts
 *   does not apply to a plan). When the plan's fingerprint and spec hash still match, the
 *   deploy is the plan being applied; otherwise the plan is stale and the deploy decides
 *   afresh (and its result replaces the plan in status).
 * Why a spec field and not an annotation: see docs/plan.md.
 */
import type { TargetStatus } from '../../crds/status.ts';
import type { TargetDecision } from '../decide-target.ts';
import { Reason } from '../reasons.ts';

export type DeploymentMode = 'Apply' | 'Plan';

export interface ModeDecision {
  readonly decision: TargetDecision;
  /** Run the plan step instead of deploy. */
  readonly planOnly: boolean;
}

/** Whether `st` holds a plan computed for exactly this certificate and spec. */
export function planIsCurrent(st: TargetStatus | undefined, fingerprint: string, specHash: string): boolean {
  return st?.reason === Reason.Planned && st.plan?.fingerprint === fingerprint && st.plan.specHash === specHash;
}

/** Pure: the decision under `mode`. */
export function decideMode(mode: DeploymentMode, decision: TargetDecision, st: TargetStatus | undefined, fingerprint: string, specHash: string): ModeDecision {
  if (mode === 'Plan') {
    if (decision.action !== 'deploy') return { decision, planOnly: false };
    if (planIsCurrent(st, fingerprint, specHash)) return { decision: { action: 'skip', why: 'planned for this certificate and spec' }, planOnly: false };
    return { decision: { action: 'deploy', why: `plan: ${decision.why}` }, planOnly: true };
  }
  if (st?.reason !== Reason.Planned || decision.action === 'skip') return { decision, planOnly: false };
  const why = planIsCurrent(st, fingerprint, specHash) ? 'applying the plan (same certificate and spec)' : 'the plan is stale (certificate or spec changed): deploying afresh';
  return { decision: { action: 'deploy', why }, planOnly: false };
}

/**
 * What a rollout adds to the composed status: `status.rollout` (phase, current wave, pending
 * targets, the pause's end, who halted it) and the Ready condition's reason and message while
 * the rollout is not complete. Pure, and composed from the target entries the status write is
 * about to store, so what status says is what the next plan will decide from.
 */
import type { RolloutSpec } from '../../crds/rollout.ts';
import type { RolloutStatus } from '../../crds/rollout-status.ts';
import type { TargetStatus } from '../../crds/status.ts';
import { Reason } from '../reasons.ts';
import type { ReadySummary } from '../summarize.ts';
import { decideRollout, type RolloutDecision } from './decide-rollout.ts';

const MAX = 2048;
const clip = (s: string) => (s.length > MAX ? `${s.slice(0, MAX - 1)}…` : s);
const FAILURES: ReadonlySet<string> = new Set([Reason.GrantDenied, Reason.PolicyDenied, Reason.InvalidSpec, Reason.DeployFailed, Reason.VerifyFailed, Reason.TargetUnavailable]);

/** The wave decision for a spec (absent when the spec has no rollout). */
export function rolloutOf(spec: { readonly rollout?: RolloutSpec | undefined; readonly targets: readonly { readonly name: string }[] }, targets: readonly TargetStatus[], fingerprint: string, now: number): RolloutDecision | undefined {
  if (!spec.rollout) return undefined;
  return decideRollout({ rollout: spec.rollout, targetNames: spec.targets.map((t) => t.name), targets, fingerprint, now });
}

/**
 * `status.rollout` for a decision; `current` itself when it says the same (the API server hands
 * status back with its keys sorted, and the status write compares serialised JSON, so an equal
 * object in another key order would be written again on every reconcile and every restart).
 */
export function rolloutStatusOf(r: RolloutDecision, now: number, current?: RolloutStatus): RolloutStatus {
  const next = composeRolloutStatus(r, now);
  return current !== undefined && canonicalJson(current) === canonicalJson(next) ? current : next;
}

/** JSON with object keys sorted (arrays keep their order). */
function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));
}

function composeRolloutStatus(r: RolloutDecision, now: number): RolloutStatus {
  const list = (names: readonly string[]) => (names.length > 0 ? { [names === r.current ? 'current' : names === r.pending ? 'pending' : 'haltedBy']: [...names] } : {});
  return {
    phase: r.phase,
    wave: r.wave + 1,
    waves: Math.max(1, r.waves.length),
    ...list(r.current),
    ...list(r.pending),
    ...(r.pausedUntil !== undefined && r.pausedUntil > now ? { pausedUntil: new Date(r.pausedUntil).toISOString() } : {}),
    ...list(r.haltedBy),
    message: rolloutMessage(r),
  };
}

function rolloutMessage(r: RolloutDecision): string {
  const n = Math.max(1, r.waves.length);
  const w = r.wave + 1;
  switch (r.phase) {
    case 'Complete': return `all ${n} wave(s) hold the current certificate`;
    case 'Halted': return clip(`halted at wave ${w}/${n} by ${r.haltedBy.join(', ')}; ${r.pending.length} target(s) of later waves keep the previous certificate`);
    case 'Paused': return `wave ${w - 1}/${n} deployed and verified; wave ${w} (${r.current.length} target(s)) starts when pauseAfterWave has passed`;
    case 'Progressing': return clip(`wave ${w}/${n} in progress (${r.current.join(', ')}); ${r.pending.length} target(s) wait for later waves`);
  }
}

/**
 * The Ready summary while a rollout is not complete: RolloutHalted names the failed targets
 * with their own reason and message; RolloutPaused says which wave waits; Progressing says which
 * wave runs (a failure reason of a target that does not halt, haltOnFailure false, is kept).
 */
export function withRolloutSummary(s: ReadySummary, r: RolloutDecision | undefined, targets: readonly TargetStatus[]): ReadySummary {
  if (!r || r.phase === 'Complete' || s.status === 'True') return s;
  if (r.phase === 'Halted') {
    const byName = new Map(targets.map((t) => [t.name, t]));
    const why = r.haltedBy.map((n) => `${n} failed (${byName.get(n)?.reason ?? 'Unknown'}: ${byName.get(n)?.message ?? ''})`).join('; ');
    return { status: 'False', reason: Reason.RolloutHalted, message: clip(`rollout ${rolloutMessage(r)}: ${why}`) };
  }
  if (r.phase === 'Paused') return { status: 'False', reason: Reason.RolloutPaused, message: `rollout ${rolloutMessage(r)}` };
  const failing = FAILURES.has(s.reason);
  return { status: 'False', reason: failing ? s.reason : Reason.Progressing, message: clip(`rollout ${rolloutMessage(r)}${failing ? `; ${s.message}` : ''}`) };
}

/**
 * The rollout gate: how the wave decision changes the per-target decisions of the pure plan.
 * Targets outside the waves that may run get "wait for wave" (no deploy); a target of a running
 * wave that still holds an older certificate deploys now even when its status carries a backoff
 * from a failure for that older certificate (a new certificate is a new attempt).
 */
import type { TargetDecision } from '../decide-target.ts';
import type { RolloutDecision } from './decide-rollout.ts';

/** What the plan does with one target under the rollout `r`, at `now` (the plan's time). */
export function gateTarget(r: RolloutDecision, name: string, decision: TargetDecision, now: number): TargetDecision {
  if (decision.action === 'skip') return decision;
  if (r.allowed.has(name)) {
    if (decision.action === 'wait' && r.states.get(name) === 'todo') return { action: 'deploy', why: `rollout wave ${r.wave + 1}/${r.waves.length}` };
    return decision;
  }
  const wave = r.waves.findIndex((w) => w.includes(name));
  const why = r.phase === 'Halted'
    ? `rollout halted by ${r.haltedBy.join(', ')}: wave ${wave + 1} waits`
    : r.phase === 'Paused' ? `pausing after wave ${r.wave}: wave ${wave + 1} waits` : `wave ${wave + 1} waits for wave ${r.wave + 1}`;
  const delayMs = wakeAfter(r, now);
  return { action: 'waitForWave', wave: wave + 1, why, ...(delayMs !== undefined ? { delayMs } : {}) };
}

/**
 * When the plan should look again at held targets.
 * - Paused: exactly when the pause ends.
 * - Progressing: the current wave has targets that do not hold the certificate and did not
 *   fail for it (a failure would halt, or settle them with haltOnFailure false), so they deploy
 *   in this reconcile and may complete the wave; our own status write does not come back as
 *   work, so look again after one pause (a look that comes early finds Paused and waits the
 *   rest; with no pause, right away — the state has moved, so this is no loop).
 * - Halted: no timer; the failed target's own retry, a fix or a new certificate brings the next look.
 */
export function wakeAfter(r: RolloutDecision, now: number): number | undefined {
  if (r.phase === 'Paused' && r.pausedUntil !== undefined) return Math.max(0, r.pausedUntil - now);
  if (r.phase === 'Progressing') return r.pauseMs;
  return undefined;
}

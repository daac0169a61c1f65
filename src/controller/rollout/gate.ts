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
  // Paused: look again exactly when the pause ends.
  const delayMs = r.phase === 'Paused' && r.pausedUntil !== undefined ? Math.max(0, r.pausedUntil - now) : undefined;
  return { action: 'waitForWave', wave: wave + 1, why, ...(delayMs !== undefined ? { delayMs } : {}) };
}

/**
 * When the plan should look again because of the rollout, for one (gated) target decision.
 * - A held target while Paused: when the pause ends.
 * - A target that deploys now while others are held: it may complete its wave (or, fixed,
 *   resume a halted rollout), and our own status write does not come back as work, so look
 *   again one pause after this reconcile; a look that comes early finds Paused and waits the
 *   rest. With no pause, right away: the state has moved, so this is no loop.
 * - Otherwise no timer: a halted rollout waits for its failed target's own retry, a fix or a
 *   new certificate, and is never polled.
 */
export function rolloutWake(r: RolloutDecision, decision: TargetDecision): number | undefined {
  if (decision.action === 'waitForWave') return decision.delayMs;
  const held = r.pending.length > 0 || (r.phase === 'Paused' && r.current.length > 0);
  if (decision.action === 'deploy' && held) return r.pauseMs;
  return undefined;
}

/**
 * The wave decision of a progressive rollout (spec.rollout), as a pure function of the rollout
 * spec, the per-target status, the Secret's current fingerprint and the time. Everything it
 * needs is in status, so it survives restarts and a status conflict re-decides from fresh data,
 * like the per-target decision (decide-target.ts). Kept apart from the plan so it can be
 * unit-tested as a table (test/unit/controller/rollout/decide-rollout.test.ts).
 */
import { parseDuration } from '../../core/duration.ts';
import type { RolloutSpec } from '../../crds/rollout.ts';
import type { RolloutStatus } from '../../crds/rollout-status.ts';
import type { TargetStatus } from '../../crds/status.ts';
import { buildWaves } from './waves.ts';

/** Where one target stands for the current fingerprint. */
export type TargetState = 'done' | 'failed' | 'todo';

export interface RolloutInput {
  readonly rollout: RolloutSpec;
  /** The spec's target names, in spec order. */
  readonly targetNames: readonly string[];
  readonly targets: readonly TargetStatus[];
  readonly fingerprint: string;
  readonly now: number;
}

export interface RolloutDecision {
  readonly phase: RolloutStatus['phase'];
  /** 0-based index of the current wave (the last one when Complete). */
  readonly wave: number;
  readonly waves: readonly (readonly string[])[];
  /** Targets that may deploy now: the current wave and every wave before it (unless Paused). */
  readonly allowed: ReadonlySet<string>;
  readonly states: ReadonlyMap<string, TargetState>;
  /** Epoch ms the pause after the previous wave ends (phase Paused). */
  readonly pausedUntil?: number;
  /** Failed targets that halt the rollout (phase Halted). */
  readonly haltedBy: readonly string[];
  /** Not-done targets of the current wave. */
  readonly current: readonly string[];
  /** Not-done targets of later waves. */
  readonly pending: readonly string[];
  readonly pauseMs: number;
}

/**
 * A target is done when it is Ready on the current fingerprint; failed when its last attempt,
 * for THIS fingerprint, failed (a failure for an older certificate is not this rollout's);
 * otherwise it still has to take the certificate.
 */
export function targetState(st: TargetStatus | undefined, fingerprint: string): TargetState {
  if (st?.ready && st.fingerprint === fingerprint) return 'done';
  if (st && !st.ready && st.attemptedFingerprint === fingerprint) return 'failed';
  return 'todo';
}

/** When a done target took (or last proved) the certificate: the latest of its timestamps. */
function doneAt(st: TargetStatus | undefined): number | undefined {
  const times = [st?.lastAttemptAt, st?.verifiedAt, st?.deployedAt].filter((x): x is string => x !== undefined).map(Date.parse).filter((x) => !Number.isNaN(x));
  return times.length > 0 ? Math.max(...times) : undefined;
}

/**
 * Decides the rollout's phase, its current wave and which targets may deploy now.
 * - The current wave is the first one with a target that is not settled (done; or failed, when
 *   haltOnFailure is false). All settled: Complete, and every target is free.
 * - With haltOnFailure, a failed target of the current wave halts it: later waves keep the
 *   previous certificate; the failed target itself keeps its normal retry path, and once it is
 *   Ready the wave completes and the rollout resumes.
 * - The current wave starts `pauseAfterWave` after the previous wave's last target was done.
 */
export function decideRollout(input: RolloutInput): RolloutDecision {
  const { rollout, fingerprint, now } = input;
  const waves = buildWaves(rollout, input.targetNames);
  const byName = new Map(input.targets.map((t) => [t.name, t]));
  const states = new Map(input.targetNames.map((n) => [n, targetState(byName.get(n), fingerprint)]));
  const halt = rollout.haltOnFailure ?? true;
  const pauseMs = parseDuration(rollout.pauseAfterWave ?? '0s') ?? 0;
  const settled = (n: string) => states.get(n) === 'done' || (!halt && states.get(n) === 'failed');
  const notDone = (names: readonly string[]) => names.filter((n) => states.get(n) !== 'done');

  const k = waves.findIndex((w) => !w.every(settled));
  if (k === -1) {
    return { phase: 'Complete', wave: Math.max(0, waves.length - 1), waves, allowed: new Set(input.targetNames), states, haltedBy: [], current: [], pending: [], pauseMs };
  }
  const upTo = (last: number) => new Set(waves.slice(0, last + 1).flat());
  const current = notDone(waves[k]!);
  const pending = notDone(waves.slice(k + 1).flat());
  const haltedBy = halt ? waves.slice(0, k + 1).flat().filter((n) => states.get(n) === 'failed') : [];
  const base = { wave: k, waves, states, haltedBy, current, pending, pauseMs };
  if (haltedBy.length > 0) return { ...base, phase: 'Halted', allowed: upTo(k) };

  if (k > 0 && pauseMs > 0) {
    const times = waves[k - 1]!.filter((n) => states.get(n) === 'done').map((n) => doneAt(byName.get(n))).filter((x): x is number => x !== undefined);
    const pausedUntil = times.length > 0 ? Math.max(...times) + pauseMs : undefined;
    if (pausedUntil !== undefined && now < pausedUntil) return { ...base, phase: 'Paused', allowed: upTo(k - 1), pausedUntil };
  }
  return { ...base, phase: 'Progressing', allowed: upTo(k) };
}

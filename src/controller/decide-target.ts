/**
 * The per-target decision of the design's table, as a pure function: skip, deploy now, or
 * wait. Everything it needs is in status, so the decision survives controller restarts and
 * a restart over Ready deployments costs zero connector calls. "Generation observed" is kept
 * per target as a hash of that target's spec, so editing one target leaves the others alone.
 */
import { backoffDelay, type BackoffPolicy as ExponentialBackoff } from '../core/backoff.ts';
import type { TargetStatus } from '../crds/status.ts';
import { TERMINAL_REASONS } from './reasons.ts';

export interface TargetDecisionInput {
  /** Fingerprint of the certificate in the Secret now. */
  readonly fingerprint: string;
  /** `status.fingerprint`: the Secret's fingerprint when status was last written. */
  readonly lastSeenFingerprint: string | undefined;
  /** Hash of this target's spec now (see target-spec-hash.ts). */
  readonly specHash: string;
  readonly status: TargetStatus | undefined;
  readonly now: number;
  readonly backoff?: BackoffPolicy;
}

/**
 * Per-target retry timing: the project's one exponential backoff (no jitter here, so the
 * decision stays a pure function of status and time) plus the slow timer for terminal failures.
 */
export interface BackoffPolicy extends ExponentialBackoff {
  /** Delay before retrying a terminal failure (auth, denied, refused) without any change. */
  readonly terminalRetryMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 5_000, maxMs: 5 * 60_000, factor: 2, jitter: 0, terminalRetryMs: 30 * 60_000 };

export type TargetDecision =
  | { readonly action: 'skip'; readonly why: string }
  | { readonly action: 'deploy'; readonly why: string }
  | { readonly action: 'wait'; readonly delayMs: number; readonly why: string }
  /**
   * Held by a progressive rollout (spec.rollout): the target's wave has not started. Never
   * returned by {@link decideTarget}; the rollout gate (src/controller/rollout/) sets it.
   * `delayMs`, when known, is when the plan should look again (the pause's end).
   */
  | { readonly action: 'waitForWave'; readonly wave: number; readonly delayMs?: number; readonly why: string };

/** Decides what to do with one target. */
export function decideTarget(input: TargetDecisionInput): TargetDecision {
  const { status: st, fingerprint, specHash, now } = input;
  const policy = input.backoff ?? DEFAULT_BACKOFF;
  if (!st) return { action: 'deploy', why: 'never deployed' };
  const sameSpec = st.specHash === specHash;
  if (st.ready && st.fingerprint === fingerprint && sameSpec) return { action: 'skip', why: 'target holds this fingerprint' };
  if (!sameSpec) return { action: 'deploy', why: 'spec changed' };
  if (input.lastSeenFingerprint !== fingerprint) return { action: 'deploy', why: 'certificate changed' };
  if (st.ready) return { action: 'deploy', why: 'target holds another fingerprint' };
  // The last attempt for this spec and this certificate failed: back off.
  const attempts = Math.max(1, st.attempts ?? 1);
  const last = st.lastAttemptAt ? Date.parse(st.lastAttemptAt) : Number.NaN;
  if (Number.isNaN(last)) return { action: 'deploy', why: 'retry' };
  const due = last + retryDelay(st, policy);
  if (now >= due) return { action: 'deploy', why: `retry ${attempts + 1}` };
  return { action: 'wait', delayMs: due - now, why: `backing off after ${attempts} failed attempts` };
}

/**
 * How long after its last attempt a failed target is retried without any change: the slow
 * timer for terminal reasons, exponential backoff on `attempts` otherwise.
 */
export function retryDelay(st: TargetStatus, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  if (st.reason && TERMINAL_REASONS.has(st.reason)) return policy.terminalRetryMs;
  return backoffDelay(Math.max(1, st.attempts ?? 1), policy, () => 0);
}

/**
 * Exponential backoff with jitter for loops that retry a whole connection (watch restarts,
 * status-write conflicts). Jitter matters here: after an API server restart every informer of
 * every replica reconnects at once, and without it they would keep reconnecting in lockstep.
 */

/** Backoff parameters. */
export interface BackoffPolicy {
  /** Delay after the first failure. */
  initialMs: number;
  /** Upper bound before jitter. */
  maxMs: number;
  /** Growth per failure; 2 unless told otherwise. */
  factor?: number;
  /** Adds up to `jitter × delay` at random (client-go `wait.Jitter`); 0 disables. */
  jitter?: number;
}

/**
 * Delay before retry number `failures` (1 = after the first failure):
 * `min(maxMs, initialMs × factor^(failures-1))`, plus jitter. `random` returns [0, 1).
 */
export function backoffDelay(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const factor = policy.factor ?? 2;
  const n = Math.max(1, Math.floor(failures));
  const raw = policy.initialMs * factor ** (n - 1);
  const base = Number.isFinite(raw) ? Math.min(policy.maxMs, raw) : policy.maxMs;
  return base + base * (policy.jitter ?? 0) * random();
}

/**
 * A counting semaphore: at most `max` tasks run at once, the rest wait in arrival order. Drift
 * checks use one across all deployments, so 1,000 deployments due at the same moment open at
 * most `max` connections to targets, whatever the number of reconcile workers.
 */
export interface Limiter {
  /** Runs `task` when a slot is free; the slot is released however the task ends. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks running now (tests and metrics read it). */
  readonly active: number;
}

/** Creates a limiter with `max` slots (at least 1). */
export function createLimiter(max: number): Limiter {
  const slots = Math.max(1, Math.floor(max));
  let active = 0;
  const waiting: (() => void)[] = [];
  /** A finished task hands its slot straight to the next waiter, so no newcomer can slip in between. */
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  return {
    get active() {
      return active;
    },
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (active >= slots) await new Promise<void>((resolve) => waiting.push(resolve)); // the slot is handed over
      else active++;
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}

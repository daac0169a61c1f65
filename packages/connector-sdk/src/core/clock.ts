/**
 * Time as a dependency. Everything in the controller runtime that waits, backs off or compares
 * timestamps takes a `Clock`, so unit tests drive time with {@link FakeClock} instead of
 * sleeping, and no test has to assert on wall-clock durations. The one Clock of the project:
 * the sandbox's network deadlines, the controller's runtime and every per-call deadline use it.
 */
import { CertDeployerError, ErrorCode, hasCode } from './errors.ts';

/** A scheduled callback that can be cancelled. Cancelling twice, or after it ran, is a no-op. */
export interface TimerHandle {
  cancel(): void;
}

/**
 * The three things the runtime needs from time: the current instant, a one-shot timer, and an
 * abortable sleep. Milliseconds since the Unix epoch, like `Date.now()`.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds (clamped to ≥ 0). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /**
   * Resolves after `ms` milliseconds, or rejects with the signal's reason as soon as `signal`
   * aborts (immediately if it already has), so loops that sleep between retries stop promptly.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Rejection reason used when a signal aborted without giving one. */
function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted');
}

/**
 * Shared `sleep` built on any clock's `setTimeout`, so the real and the fake clock cannot
 * disagree about abort semantics.
 */
export function sleepWith(clock: Pick<Clock, 'setTimeout'>, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      timer.cancel();
      reject(abortReason(signal!));
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The process clock. Timers keep the event loop alive on purpose (a candidate waiting to
 * acquire a Lease must not let the process exit); owners cancel them on shutdown instead.
 */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(t) };
  },
  sleep(ms, signal) {
    return sleepWith(realClock, ms, signal);
  },
};

/** Thrown into a {@link withTimeout} signal when the time is up; retryable, code `CD_ERR_TIMEOUT`. */
export class DeadlineError extends CertDeployerError {
  constructor(ms: number, what = 'operation') {
    super(ErrorCode.Timeout, `${what} exceeded its deadline of ${ms} ms`, { retryable: true });
    this.name = 'TimeoutError';
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasCode(value, ErrorCode.Timeout) && (value as Error).name === 'TimeoutError';
  }
}

/**
 * Runs `fn` with a signal that aborts after `ms` on `clock` or when `parent` aborts, and always
 * cancels the timer afterwards. Using the injected clock (not `AbortSignal.timeout`) keeps
 * request deadlines in step with the rest of the logic under a fake clock.
 */
export async function withTimeout<T>(clock: Clock, ms: number, parent: AbortSignal | undefined, fn: (signal: AbortSignal) => Promise<T>, what?: string): Promise<T> {
  const ctl = new AbortController();
  const timer = clock.setTimeout(() => ctl.abort(new DeadlineError(ms, what)), ms);
  const onParent = (): void => ctl.abort(parent!.reason);
  if (parent?.aborted) onParent();
  else parent?.addEventListener('abort', onParent, { once: true });
  try {
    return await fn(ctl.signal);
  } finally {
    timer.cancel();
    parent?.removeEventListener('abort', onParent);
  }
}

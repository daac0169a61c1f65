/**
 * One operation's deadline as an AbortSignal: it aborts with a retryable timeout error when the
 * clock fires, or with the caller's reason when the caller's signal aborts. Network code then
 * needs a single signal, and callers can tell a timeout from their own cancellation.
 */
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { CertDeployerError, ErrorCode } from '../errors.ts';

export class Deadline {
  readonly #controller = new AbortController();
  readonly #timer: TimerHandle;
  readonly #parent: AbortSignal | undefined;
  readonly #onParentAbort: () => void;
  #timedOut = false;

  /** `what` names the operation in the timeout message (an address, never a payload). */
  constructor(clock: Clock, ms: number, what: string, parent?: AbortSignal) {
    this.#parent = parent;
    this.#onParentAbort = () => this.#controller.abort(parent?.reason);
    if (parent?.aborted === true) this.#controller.abort(parent.reason);
    else parent?.addEventListener('abort', this.#onParentAbort, { once: true });
    this.#timer = clock.setTimeout(() => {
      this.#timedOut = true;
      this.#controller.abort(new CertDeployerError(ErrorCode.Timeout, `${what} timed out after ${ms} ms`, { retryable: true }));
    }, ms);
  }

  /** Aborts on timeout or caller cancellation. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** True when the deadline, not the caller, ended the operation. */
  get timedOut(): boolean {
    return this.#timedOut;
  }

  /** The abort reason when aborted (a timeout error or the caller's reason). */
  reason(): unknown {
    return this.#controller.signal.reason;
  }

  /** Stops the timer and detaches from the caller's signal. */
  dispose(): void {
    this.#timer.cancel();
    this.#parent?.removeEventListener('abort', this.#onParentAbort);
  }
}

/** A positive finite timeout, or the fallback. */
export function timeoutOr(ms: number | undefined, fallback: number): number {
  return ms !== undefined && Number.isFinite(ms) && ms > 0 ? ms : fallback;
}

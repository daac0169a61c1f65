/**
 * Time as a dependency. Sandbox deadlines (request, send, TLS probe) read time only through a
 * Clock, so tests and the controller can supply their own instead of patching globals.
 */

/** Cancels a scheduled callback; calling it twice is harmless. */
export type CancelTimer = () => void;

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `callback` once after `ms` milliseconds unless cancelled. */
  setTimeout(callback: () => void, ms: number): CancelTimer;
}

/** The real clock. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout: (callback: () => void, ms: number): CancelTimer => {
    const handle = setTimeout(callback, ms);
    return () => clearTimeout(handle);
  },
});

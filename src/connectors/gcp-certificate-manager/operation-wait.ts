/**
 * Waiting for a long-running operation: poll operations.get with exponential backoff until it
 * is done, for as long as the deploy's signal allows (the controller's deadline bounds it).
 * A failed operation becomes a classified error: INVALID_ARGUMENT (the API refused the
 * certificate) is terminal, UNAVAILABLE retryable. The sleep is injected so tests run fast.
 */
import { realClock } from '@cert-deployer/connector-sdk';
import { errorForCode } from './api-errors.ts';
import type { OperationState } from './certificate-api.ts';

/** Backoff between polls. */
export interface PollSchedule {
  readonly initialMs: number;
  readonly multiplier: number;
  readonly maxMs: number;
}

/** Self-managed certificate operations finish in seconds; poll soon, then back off to 10 s. */
export const DEFAULT_POLL_SCHEDULE: PollSchedule = Object.freeze({ initialMs: 1000, multiplier: 1.5, maxMs: 10_000 });

/** Sleeps `ms`, rejecting with the signal's reason as soon as it aborts. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** The real clock's sleep: a timer that an abort clears. The connector uses `DeployContext.clock`'s. */
export const sleep: Sleep = (ms, signal) => realClock.sleep(ms, signal);

/** The delays between polls, in order: initial, then multiplied up to the cap. Pure. */
export function* pollDelays(schedule: PollSchedule): Generator<number, never> {
  let delay = schedule.initialMs;
  for (;;) {
    yield delay;
    delay = Math.min(schedule.maxMs, Math.max(delay, delay * schedule.multiplier));
  }
}

export interface WaitOptions {
  /** Describes the operation in errors, e.g. `update certificate web (project p, location global)`. */
  readonly what: string;
  readonly signal: AbortSignal;
  readonly sleep: Sleep;
  readonly schedule: PollSchedule;
}

/** Resolves when `first` (and its successors from `poll`) is done without error; throws otherwise. */
export async function waitForOperation(first: OperationState, poll: (name: string) => Promise<OperationState>, opts: WaitOptions): Promise<void> {
  let op = first;
  const delays = pollDelays(opts.schedule);
  while (!op.done) {
    if (op.name === '') throw errorForCode(opts.what, 2, 'the API returned an unfinished operation without a name');
    await opts.sleep(delays.next().value, opts.signal);
    op = await poll(op.name);
  }
  if (op.error !== undefined) throw errorForCode(opts.what, op.error.code, op.error.message);
}

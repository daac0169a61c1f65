/**
 * The generic worker loop (controller-runtime's `reconcileHandler`): take a key, reconcile it,
 * and translate the outcome into queue calls — success forgets the key's backoff, an error
 * re-adds it rate-limited, a terminal error drops it, `requeueAfterMs` schedules the next look.
 * At most `concurrency` keys run at once, and never the same key twice (the queue guarantees it).
 */
import { asError } from './kube-errors.ts';
import type { WorkQueue } from './work-queue.ts';

/** What a successful reconcile may ask for. */
export interface ReconcileResult {
  /** Look at this key again after this many ms (e.g. before a certificate's renewal window). */
  requeueAfterMs?: number;
}

/**
 * Reconciles one key. Must be idempotent; gets the workers' signal so it can abandon I/O
 * on shutdown or lost leadership.
 */
export type Reconciler = (key: string, signal: AbortSignal) => Promise<ReconcileResult | void> | ReconcileResult | void;

/** How the loop reports and classifies failures. */
export interface RunWorkersOptions {
  /**
   * Errors that retrying cannot fix (e.g. a grant denial): the key is forgotten instead of
   * re-added. Default: nothing is terminal.
   */
  isTerminal?(err: unknown): boolean;
  /** Called for every failed reconcile, after the queue has been updated. Must not throw. */
  onError?(key: string, err: Error, retrying: boolean): void;
  /** Called with the number of workers busy with a key whenever it changes (controller_runtime_active_workers). */
  onActive?(busy: number): void;
}

/**
 * Runs `concurrency` workers over `queue` until `signal` aborts (which shuts the queue down) or
 * the queue is shut down by someone else. Resolves once every worker has finished the key it
 * was processing, so `await runWorkers(...)` is the graceful-shutdown point.
 */
export async function runWorkers(queue: WorkQueue, concurrency: number, reconcile: Reconciler, signal: AbortSignal, opts: RunWorkersOptions = {}): Promise<void> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`runWorkers: concurrency must be a positive integer, got ${concurrency}`);
  }
  const stop = (): void => queue.shutDown();
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
  let busy = 0;
  const active = (delta: number): void => {
    busy += delta;
    safeCall(() => opts.onActive?.(busy), undefined);
  };
  try {
    const workers = Array.from({ length: concurrency }, () => workerLoop(queue, reconcile, signal, opts, active));
    await Promise.all(workers);
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

async function workerLoop(queue: WorkQueue, reconcile: Reconciler, signal: AbortSignal, opts: RunWorkersOptions, active: (delta: number) => void): Promise<void> {
  for (;;) {
    const key = await queue.get();
    if (key === undefined) return;
    active(1);
    try {
      await processOne(queue, key, reconcile, signal, opts);
    } finally {
      queue.done(key);
      active(-1);
    }
  }
}

/** One reconcile and its queue bookkeeping; never throws. */
async function processOne(queue: WorkQueue, key: string, reconcile: Reconciler, signal: AbortSignal, opts: RunWorkersOptions): Promise<void> {
  let result: ReconcileResult | void;
  try {
    result = await reconcile(key, signal);
  } catch (thrown) {
    const err = asError(thrown);
    const terminal = safeCall(() => opts.isTerminal?.(thrown) ?? false, false);
    if (terminal) queue.forget(key);
    else queue.addRateLimited(key);
    safeCall(() => opts.onError?.(key, err, !terminal), undefined);
    return;
  }
  queue.forget(key);
  const after = result?.requeueAfterMs;
  if (after !== undefined && Number.isFinite(after) && after >= 0) queue.addAfter(key, after);
}

function safeCall<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

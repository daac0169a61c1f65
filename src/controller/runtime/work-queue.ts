/**
 * A keyed, de-duplicating, rate-limited work queue with client-go `workqueue` semantics:
 *
 * - Stingy: a key added many times before a worker picks it up is processed once.
 * - Never concurrent: a key is in at most one worker at a time. Adding it while it is being
 *   processed marks it dirty, and it is queued again when the worker calls {@link WorkQueue.done}.
 * - Fair: keys are handed out in the order they were (first) added.
 *
 * One deliberate difference from client-go: after shutdown, `get()` stops handing out keys that
 * are still queued (client-go's `Get` keeps returning them). A level-triggered controller
 * re-enqueues everything on its next start, so bounded shutdown matters more than draining
 * work nobody started.
 */
import { realClock, type Clock, type TimerHandle } from '../../core/clock.ts';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.ts';

/** Observability hooks (client-go `workqueue` metrics); every method is optional. */
export interface WorkQueueMetrics {
  /** A key was accepted (not a duplicate). `workqueue_adds_total`. */
  added?(key: string): void;
  /** Ready keys waiting for a worker. `workqueue_depth`. */
  depth?(n: number): void;
  /** A worker took a key that had waited `waitedMs`. `workqueue_queue_duration_seconds`. */
  started?(key: string, waitedMs: number): void;
  /** A worker finished a key after `workedMs`. `workqueue_work_duration_seconds`. */
  finished?(key: string, workedMs: number): void;
  /** A key was re-added through the rate limiter. `workqueue_retries_total`. */
  retried?(key: string): void;
}

/** Construction options; all optional. */
export interface WorkQueueOptions {
  clock?: Clock;
  /** Defaults to client-go's controller limiter (5 ms → 1000 s, 10 qps / burst 100). */
  rateLimiter?: RateLimiter<string>;
  metrics?: WorkQueueMetrics;
}

/** The queue itself. Keys are strings, conventionally `namespace/name` (see `object-key.ts`). */
export class WorkQueue {
  readonly #clock: Clock;
  readonly #limiter: RateLimiter<string>;
  readonly #metrics: WorkQueueMetrics;
  #queue: string[] = [];
  #head = 0;
  readonly #dirty = new Map<string, number>(); // key → time it became dirty
  readonly #processing = new Map<string, number>(); // key → time processing started
  readonly #waiting = new Map<string, { readyAt: number; timer: TimerHandle }>();
  #getters: Array<(key: string | undefined) => void> = [];
  #drainers: Array<() => void> = [];
  #shuttingDown = false;

  constructor(opts: WorkQueueOptions = {}) {
    this.#clock = opts.clock ?? realClock;
    this.#limiter = opts.rateLimiter ?? defaultControllerRateLimiter(this.#clock);
    this.#metrics = opts.metrics ?? {};
  }

  /** Marks `key` as needing processing. Ignored after shutdown and while already queued. */
  add(key: string): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.set(key, this.#clock.now());
    this.#metrics.added?.(key);
    if (this.#processing.has(key)) return; // re-queued by done()
    this.#enqueue(key);
  }

  /**
   * Adds `key` after `delayMs`. While a delayed add is pending, a later request that would be
   * ready sooner replaces it and one that would be ready later is dropped (client-go semantics).
   */
  addAfter(key: string, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (!(delayMs > 0)) {
      this.add(key);
      return;
    }
    const readyAt = this.#clock.now() + delayMs;
    const pending = this.#waiting.get(key);
    if (pending !== undefined) {
      if (pending.readyAt <= readyAt) return;
      pending.timer.cancel();
    }
    const timer = this.#clock.setTimeout(() => {
      this.#waiting.delete(key);
      this.add(key);
    }, delayMs);
    this.#waiting.set(key, { readyAt, timer });
  }

  /** Adds `key` after the rate limiter's backoff for it; call after a failed attempt. */
  addRateLimited(key: string): void {
    if (this.#shuttingDown) return;
    this.#metrics.retried?.(key);
    this.addAfter(key, this.#limiter.when(key));
  }

  /** Clears `key`'s backoff history; call after a successful attempt. */
  forget(key: string): void {
    this.#limiter.forget(key);
  }

  /** Failures recorded for `key` since it was last forgotten. */
  numRequeues(key: string): number {
    return this.#limiter.numRequeues(key);
  }

  /**
   * Waits for the next key and marks it as processing. Resolves `undefined` once the queue is
   * shut down. Every key received must be passed to {@link done}.
   */
  get(): Promise<string | undefined> {
    if (this.#shuttingDown) return Promise.resolve(undefined);
    if (this.#head < this.#queue.length) return Promise.resolve(this.#take());
    return new Promise((resolve) => this.#getters.push(resolve));
  }

  /** Ends processing of `key`; if it was added meanwhile, it is queued again. */
  done(key: string): void {
    const started = this.#processing.get(key);
    if (started === undefined) return;
    this.#processing.delete(key);
    this.#metrics.finished?.(key, this.#clock.now() - started);
    if (this.#dirty.has(key) && !this.#shuttingDown) this.#enqueue(key);
    if (this.#processing.size === 0) this.#settleDrainers();
  }

  /** Ready keys (excludes keys being processed and delayed adds). */
  len(): number {
    return this.#queue.length - this.#head;
  }

  /** Keys currently held by workers. */
  processingCount(): number {
    return this.#processing.size;
  }

  /** True once {@link shutDown} or {@link shutDownWithDrain} was called. */
  shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /**
   * Stops the queue now: new adds are ignored, pending delayed adds are cancelled, and every
   * waiting and future `get()` resolves `undefined`. Also ends any `shutDownWithDrain` wait.
   */
  shutDown(): void {
    this.#beginShutdown();
    this.#settleDrainers();
  }

  /**
   * Like {@link shutDown}, but the returned promise resolves only when every key that workers
   * are processing has been passed to `done()`: in-flight work finishes, nothing new starts.
   */
  shutDownWithDrain(): Promise<void> {
    this.#beginShutdown();
    if (this.#processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainers.push(resolve));
  }

  #beginShutdown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    for (const { timer } of this.#waiting.values()) timer.cancel();
    this.#waiting.clear();
    const getters = this.#getters;
    this.#getters = [];
    for (const resolve of getters) resolve(undefined);
  }

  #settleDrainers(): void {
    const drainers = this.#drainers;
    this.#drainers = [];
    for (const resolve of drainers) resolve();
  }

  #enqueue(key: string): void {
    const getter = this.#getters.shift();
    if (getter !== undefined) {
      this.#queue.push(key);
      getter(this.#take());
      return;
    }
    this.#queue.push(key);
    this.#metrics.depth?.(this.len());
  }

  #take(): string {
    const key = this.#queue[this.#head++]!;
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    const now = this.#clock.now();
    const dirtySince = this.#dirty.get(key) ?? now;
    this.#dirty.delete(key);
    this.#processing.set(key, now);
    this.#metrics.depth?.(this.len());
    this.#metrics.started?.(key, now - dirtySince);
    return key;
  }
}

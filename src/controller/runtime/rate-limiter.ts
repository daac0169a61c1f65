/**
 * Retry rate limiters with client-go `workqueue` semantics. A limiter answers "how long must
 * this key wait before its next retry"; the work queue turns the answer into a delayed add.
 * Pure arithmetic over an injected clock: no timers live here.
 */
import { backoffDelay } from '../../core/backoff.ts';
import type { Clock } from '../../core/clock.ts';

/** The contract the work queue uses (client-go `TypedRateLimiter`). */
export interface RateLimiter<K = string> {
  /** Records one more failure of `item` and returns how many ms it must wait before its retry. */
  when(item: K): number;
  /** Clears `item`'s failure history (after a success, or when it is dropped for good). */
  forget(item: K): void;
  /** How many failures `item` has had since it was last forgotten. */
  numRequeues(item: K): number;
}

/**
 * Per-item exponential backoff: `baseMs * 2^failures`, capped at `maxMs`. Defaults are
 * client-go's controller defaults (5 ms → 1000 s); controllers that talk to slow or quota-bound
 * targets should pass larger values, as cert-manager does (seconds → minutes).
 */
export class ItemExponentialRateLimiter<K = string> implements RateLimiter<K> {
  readonly baseMs: number;
  readonly maxMs: number;
  readonly #failures = new Map<K, number>();

  constructor(baseMs = 5, maxMs = 1_000_000) {
    if (!(baseMs > 0) || !(maxMs >= baseMs)) {
      throw new RangeError(`exponential rate limiter needs 0 < baseMs <= maxMs, got base=${baseMs} max=${maxMs}`);
    }
    this.baseMs = baseMs;
    this.maxMs = maxMs;
  }

  when(item: K): number {
    const exp = this.#failures.get(item) ?? 0;
    this.#failures.set(item, exp + 1);
    return backoffDelay(exp + 1, { initialMs: this.baseMs, maxMs: this.maxMs, factor: 2, jitter: 0 });
  }

  forget(item: K): void {
    this.#failures.delete(item);
  }

  numRequeues(item: K): number {
    return this.#failures.get(item) ?? 0;
  }
}

/**
 * A token bucket (the arithmetic of Go's `rate.Limiter`): `burst` tokens, refilled at `qps` per
 * second. Reservations may go into debt, which is exactly the delay the caller must wait.
 */
export class TokenBucket {
  readonly qps: number;
  readonly burst: number;
  readonly #clock: Pick<Clock, 'now'>;
  #tokens: number;
  #last: number;

  constructor(qps: number, burst: number, clock: Pick<Clock, 'now'>) {
    if (!(qps > 0) || !(burst >= 1)) throw new RangeError(`token bucket needs qps > 0 and burst >= 1, got qps=${qps} burst=${burst}`);
    this.qps = qps;
    this.burst = burst;
    this.#clock = clock;
    this.#tokens = burst;
    this.#last = clock.now();
  }

  /** Takes a token whether or not one is available; returns the ms to wait before using it. */
  reserve(): number {
    this.#refill();
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.qps) * 1000;
  }

  /** Takes a token only if one is available now; for callers that drop instead of waiting. */
  tryTake(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** True when the bucket is full again, i.e. its state carries no information and can be dropped. */
  isFull(): boolean {
    this.#refill();
    return this.#tokens >= this.burst;
  }

  #refill(): void {
    const now = this.#clock.now();
    const elapsed = Math.max(0, now - this.#last);
    this.#last = now;
    this.#tokens = Math.min(this.burst, this.#tokens + (elapsed / 1000) * this.qps);
  }
}

/**
 * Overall retry budget shared by all items (client-go `BucketRateLimiter`): protects the API
 * server and targets when many keys fail at once. Defaults 10 qps, burst 100.
 */
export class BucketRateLimiter<K = string> implements RateLimiter<K> {
  readonly #bucket: TokenBucket;

  constructor(clock: Pick<Clock, 'now'>, qps = 10, burst = 100) {
    this.#bucket = new TokenBucket(qps, burst, clock);
  }

  when(_item: K): number {
    return this.#bucket.reserve();
  }

  forget(_item: K): void {}

  numRequeues(_item: K): number {
    return 0;
  }
}

/** Combines limiters: the wait is the longest any of them asks for (client-go `MaxOfRateLimiter`). */
export class MaxOfRateLimiter<K = string> implements RateLimiter<K> {
  readonly #limiters: readonly RateLimiter<K>[];

  constructor(...limiters: RateLimiter<K>[]) {
    if (limiters.length === 0) throw new RangeError('MaxOfRateLimiter needs at least one limiter');
    this.#limiters = limiters;
  }

  when(item: K): number {
    // Every limiter must record the failure, so no short-circuit.
    return Math.max(...this.#limiters.map((l) => l.when(item)));
  }

  forget(item: K): void {
    for (const l of this.#limiters) l.forget(item);
  }

  numRequeues(item: K): number {
    return Math.max(...this.#limiters.map((l) => l.numRequeues(item)));
  }
}

/** Tunables of {@link defaultControllerRateLimiter}; every field defaults to client-go's value. */
export interface ControllerRateLimiterOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  qps?: number;
  burst?: number;
}

/**
 * client-go's `DefaultTypedControllerRateLimiter`: per-item exponential backoff (5 ms → 1000 s)
 * combined with an overall 10 qps / burst 100 bucket.
 */
export function defaultControllerRateLimiter<K = string>(clock: Pick<Clock, 'now'>, opts: ControllerRateLimiterOptions = {}): RateLimiter<K> {
  return new MaxOfRateLimiter<K>(
    new ItemExponentialRateLimiter<K>(opts.baseDelayMs ?? 5, opts.maxDelayMs ?? 1_000_000),
    new BucketRateLimiter<K>(clock, opts.qps ?? 10, opts.burst ?? 100),
  );
}

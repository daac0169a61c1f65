/**
 * The pure part of the event recorder: decides whether an occurrence becomes a new
 * `events.k8s.io/v1` Event, a `series.count` bump on the existing one, or nothing.
 *
 * - Aggregation (api-conventions: "accumulate repeated events in the client"): the same
 *   (object, type, reason, action, note) within `windowMs` (10 min) of its last occurrence
 *   belongs to one series, and repeats PATCH `series.count` instead of creating Events.
 * - Spam filter (client-go's EventCorrelator): a token bucket per regarding object (burst 25,
 *   one token per 5 min by default), so a reconcile hot loop cannot flood the API server.
 *   Rate-limited occurrences are still counted; the next permitted write carries the total.
 * - One write per series at a time: occurrences during an in-flight write are coalesced into
 *   a single follow-up PATCH when it completes.
 */
import type { Clock } from '../../core/clock.ts';
import { TokenBucket } from './rate-limiter.ts';

/** The object an Event is about (`regarding`). */
export interface EventObjectRef {
  apiVersion?: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
}

/** One occurrence, already validated and truncated. */
export interface EventOccurrence {
  regarding: EventObjectRef;
  type: 'Normal' | 'Warning';
  reason: string;
  action: string;
  note: string;
}

/** A series as the correlator tracks it. */
export interface SeriesState {
  readonly key: string;
  readonly occurrence: EventOccurrence;
  readonly firstMs: number;
  lastObservedMs: number;
  count: number;
  /** Server name of the Event once created. */
  name: string | undefined;
  /** Count carried by the last successful write. */
  written: number;
  inFlight: boolean;
}

/** What the recorder must do now. */
export type EventDecision =
  | { kind: 'create'; series: SeriesState; count: number }
  | { kind: 'patch'; series: SeriesState; count: number }
  | { kind: 'coalesced' | 'rate-limited'; series: SeriesState };

/** Tunables; defaults in brackets. */
export interface CorrelatorOptions {
  /** Max gap between occurrences of one series [10 min]. */
  windowMs?: number;
  /** Per-object spam filter burst [25] and refill rate in tokens/s [1/300]. */
  burst?: number;
  qps?: number;
  /** Series and buckets remembered at most [4096]; the least recently used are forgotten. */
  maxEntries?: number;
}

/** Identity of a series. */
export function seriesKey(o: EventOccurrence): string {
  const r = o.regarding;
  return JSON.stringify([r.apiVersion ?? '', r.kind, r.namespace ?? '', r.name, r.uid ?? '', o.type, o.reason, o.action, o.note]);
}

function objectKeyOf(r: EventObjectRef): string {
  return JSON.stringify([r.apiVersion ?? '', r.kind, r.namespace ?? '', r.name, r.uid ?? '']);
}

/** See the module comment. Not thread-safe by design: JavaScript has one. */
export class EventCorrelator {
  readonly #clock: Pick<Clock, 'now'>;
  readonly #windowMs: number;
  readonly #burst: number;
  readonly #qps: number;
  readonly #max: number;
  readonly #series = new Map<string, SeriesState>();
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(clock: Pick<Clock, 'now'>, opts: CorrelatorOptions = {}) {
    this.#clock = clock;
    this.#windowMs = opts.windowMs ?? 10 * 60_000;
    this.#burst = opts.burst ?? 25;
    this.#qps = opts.qps ?? 1 / 300;
    this.#max = opts.maxEntries ?? 4096;
  }

  /** Records one occurrence and returns what to write. */
  observe(o: EventOccurrence): EventDecision {
    const now = this.#clock.now();
    const key = seriesKey(o);
    let s = this.#series.get(key);
    if (s === undefined || now - s.lastObservedMs > this.#windowMs) {
      s = { key, occurrence: o, firstMs: now, lastObservedMs: now, count: 1, name: undefined, written: 0, inFlight: false };
    } else {
      s.count++;
      s.lastObservedMs = now;
    }
    this.#touch(this.#series, key, s);
    if (s.inFlight) return { kind: 'coalesced', series: s };
    if (!this.#take(o.regarding)) return { kind: 'rate-limited', series: s };
    return this.#begin(s);
  }

  /**
   * Reports the outcome of a write this correlator asked for. On success, returns the
   * follow-up PATCH if occurrences arrived meanwhile (and the spam filter allows it).
   * After a failure nothing is retried here: the next occurrence tries again.
   */
  completed(s: SeriesState, outcome: { ok: true; name: string; count: number } | { ok: false }): EventDecision | undefined {
    s.inFlight = false;
    if (!outcome.ok) return undefined;
    s.name = outcome.name;
    s.written = Math.max(s.written, outcome.count);
    if (s.count <= s.written || this.#series.get(s.key) !== s) return undefined;
    if (!this.#take(s.occurrence.regarding)) return undefined;
    return this.#begin(s);
  }

  /** Number of series remembered (for tests and diagnostics). */
  size(): number {
    return this.#series.size;
  }

  #begin(s: SeriesState): EventDecision {
    s.inFlight = true;
    return s.name === undefined ? { kind: 'create', series: s, count: s.count } : { kind: 'patch', series: s, count: s.count };
  }

  #take(r: EventObjectRef): boolean {
    const key = objectKeyOf(r);
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) bucket = new TokenBucket(this.#qps, this.#burst, this.#clock);
    this.#touch(this.#buckets, key, bucket);
    return bucket.tryTake();
  }

  /** Moves `key` to the most-recent end and evicts the least recently used beyond the cap. */
  #touch<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    map.set(key, value);
    while (map.size > this.#max) map.delete(map.keys().next().value!);
  }
}

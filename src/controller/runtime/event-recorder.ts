/**
 * Records `events.k8s.io/v1` Events about our objects, aggregated and rate-limited by an
 * {@link EventCorrelator}. Recording never blocks or fails a reconcile: `record()` returns
 * at once, writes happen in the background, and failures go to `onError`.
 */
import type { EventsV1Event } from '@kubernetes/client-node';
import { realClock, withTimeout, type Clock } from '../../core/clock.ts';
import { EventCorrelator, type CorrelatorOptions, type EventDecision, type EventObjectRef, type EventOccurrence, type SeriesState } from './event-correlator.ts';
import { accessOf, type KubeConnection } from './kube-access.ts';
import { asError } from './kube-errors.ts';
import { kubeRequest, MicroTime, objectPath, PatchType } from './kube-rest.ts';

/** Our `reportingController` (events.k8s.io requires a qualified name). */
export const REPORTING_CONTROLLER = 'certdeployer.io/controller';
/** events.k8s.io limits, in bytes for the note and characters for the rest. */
export const NOTE_MAX_BYTES = 1024;
const FIELD_MAX = 128;
const CAMEL_RE = /^[A-Za-z][A-Za-z0-9]*$/;

/** Where Events are written; the real one is {@link eventsV1Sink}. */
export interface EventSink {
  /** Creates the Event and returns its name. */
  create(event: EventsV1Event, signal: AbortSignal): Promise<string>;
  /** Sets `series` on an existing Event. */
  patchSeries(namespace: string, name: string, series: { count: number; lastObservedTime: Date }, signal: AbortSignal): Promise<void>;
}

/** Configuration. */
export interface EventRecorderOptions {
  sink: EventSink;
  /** Identifies this replica, conventionally the pod name (≤ 128 chars). */
  reportingInstance: string;
  reportingController?: string;
  clock?: Clock;
  correlator?: CorrelatorOptions;
  /** Per-write timeout. Default 10 s. */
  timeoutMs?: number;
  /** Reports failed writes. Must not throw. */
  onError?(err: Error): void;
}

/** Cuts `s` to at most `maxBytes` of UTF-8 without splitting a character, marking the cut. */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s, 'utf8') <= maxBytes) return s;
  const marker = '...';
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > maxBytes - marker.length) break;
    out += ch;
    bytes += n;
  }
  return out + marker;
}

/** See the module comment. */
export class EventRecorder {
  readonly #sink: EventSink;
  readonly #instance: string;
  readonly #controller: string;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #onError: (err: Error) => void;
  readonly #correlator: EventCorrelator;
  readonly #inFlight = new Set<Promise<void>>();
  #seq = 0;

  constructor(opts: EventRecorderOptions) {
    if (!opts.reportingInstance || opts.reportingInstance.length > FIELD_MAX) {
      throw new TypeError(`event recorder: reportingInstance must be 1-${FIELD_MAX} chars, got ${JSON.stringify(opts.reportingInstance)}`);
    }
    this.#sink = opts.sink;
    this.#instance = opts.reportingInstance;
    this.#controller = opts.reportingController ?? REPORTING_CONTROLLER;
    this.#clock = opts.clock ?? realClock;
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.#onError = opts.onError ?? (() => {});
    this.#correlator = new EventCorrelator(this.#clock, opts.correlator);
  }

  /**
   * Records that `action` on `regarding` had outcome `reason`. `reason` and `action` are
   * CamelCase constants (≤ 128 chars; a TypeError otherwise, since that is a programming
   * error); `note` is free text, truncated to 1 KiB and must never contain key material.
   */
  record(regarding: EventObjectRef, type: 'Normal' | 'Warning', reason: string, action: string, note: string): void {
    if (type !== 'Normal' && type !== 'Warning') throw new TypeError(`event type must be Normal or Warning, got ${JSON.stringify(type)}`);
    for (const [field, v] of [['reason', reason], ['action', action]] as const) {
      if (v.length > FIELD_MAX || !CAMEL_RE.test(v)) throw new TypeError(`event ${field} ${JSON.stringify(v)} must be a CamelCase word of at most ${FIELD_MAX} chars`);
    }
    if (!regarding.kind || !regarding.name) throw new TypeError('event regarding must name a kind and an object name');
    const occurrence: EventOccurrence = { regarding: { ...regarding }, type, reason, action, note: truncateUtf8(note, NOTE_MAX_BYTES) };
    this.#execute(this.#correlator.observe(occurrence));
  }

  /** Resolves when every write started so far (including follow-ups) has finished. */
  async flush(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  #execute(decision: EventDecision | undefined): void {
    if (decision === undefined || (decision.kind !== 'create' && decision.kind !== 'patch')) return;
    const p = this.#write(decision).finally(() => this.#inFlight.delete(p));
    this.#inFlight.add(p);
  }

  async #write(d: Extract<EventDecision, { kind: 'create' | 'patch' }>): Promise<void> {
    const s = d.series;
    const namespace = s.occurrence.regarding.namespace || 'default';
    const series = d.count > 1 ? { count: d.count, lastObservedTime: new MicroTime(s.lastObservedMs) } : undefined;
    let next: EventDecision | undefined;
    try {
      const name = await withTimeout(this.#clock, this.#timeoutMs, undefined, async (signal) => {
        if (d.kind === 'patch') {
          await this.#sink.patchSeries(namespace, s.name!, series!, signal);
          return s.name!;
        }
        return this.#sink.create(this.#event(s, namespace, series), signal);
      });
      next = this.#correlator.completed(s, { ok: true, name, count: d.count });
    } catch (err) {
      this.#correlator.completed(s, { ok: false });
      try {
        this.#onError(asError(err));
      } catch {
        // reporting must not break recording
      }
    }
    this.#execute(next);
  }

  #event(s: SeriesState, namespace: string, series: EventsV1Event['series']): EventsV1Event {
    const o = s.occurrence;
    // client-go names Events "<object>.<hex nanoseconds>"; a sequence number keeps same-ms names unique.
    const suffix = `.${(BigInt(s.firstMs) * 1_000_000n + BigInt(this.#seq++ % 1_000_000)).toString(16)}`;
    return {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: o.regarding.name.slice(0, 253 - suffix.length) + suffix, namespace },
      eventTime: new MicroTime(s.firstMs),
      ...(series !== undefined ? { series } : {}),
      reportingController: this.#controller,
      reportingInstance: this.#instance,
      action: o.action,
      reason: o.reason,
      note: o.note,
      type: o.type,
      regarding: { ...o.regarding },
    };
  }
}

/** {@link EventSink} writing through `kc` (RBAC: events.k8s.io events create, patch). */
export function eventsV1Sink(kc: KubeConnection): EventSink {
  const access = accessOf(kc);
  const ref = { group: 'events.k8s.io', version: 'v1', plural: 'events' };
  return {
    async create(event, signal) {
      const created = await kubeRequest<EventsV1Event>(access, 'POST', objectPath({ ...ref, namespace: event.metadata!.namespace! }), { body: event, signal });
      return created.metadata?.name ?? event.metadata!.name!;
    },
    async patchSeries(namespace, name, series, signal) {
      await kubeRequest(access, 'PATCH', objectPath({ ...ref, namespace, name }), { body: { series }, contentType: PatchType.MergePatch, signal });
    },
  };
}

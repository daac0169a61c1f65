/**
 * Leader election on a `coordination.k8s.io/v1` Lease with client-go semantics (defaults
 * 15 s lease / 10 s renew deadline / 2 s retry, as controller-runtime). Only the leader runs
 * controllers: it gets an AbortSignal in `onStartedLeading`, and that signal aborts the moment
 * renewal has failed for longer than the renew deadline — before the lease can expire for the
 * other candidates — so every reconcile, watch and connector call stops.
 *
 * Like client-go, this does not fence: two replicas can briefly both believe they lead across a
 * network partition. Connector operations must be idempotent regardless.
 */
import { DeadlineError, realClock, withTimeout, type Clock } from '../../core/clock.ts';
import { CertDeployerError, ErrorCode } from '@cert-deployer/connector-sdk/sandbox';
import { asError, isConflict } from './kube-errors.ts';
import type { LeaseClient } from './lease-client.ts';
import {
  JITTER_FACTOR, canRenewWithoutRead, decideLease, initialRecord, observe, releasedRecord, timingsProblem,
  type LeaseObservation,
} from './lease-decision.ts';

/** What the application does with leadership. */
export interface LeaderCallbacks {
  /**
   * Start leader-only work. `signal` aborts when leadership is lost (reason: a
   * {@link LeadershipLostError}) or the elector is shut down. Return a promise that settles once
   * that work has stopped: the elector waits for it before releasing the Lease, so the next
   * leader never overlaps with our in-flight work.
   */
  onStartedLeading(signal: AbortSignal): Promise<void> | void;
  /** Called once after leading ended (lost or shut down) and the work promise settled. */
  onStoppedLeading?(): void;
  /** Called when a different holder is observed (including ourselves). */
  onNewLeader?(identity: string): void;
}

/** Configuration; timings in ms, defaults as controller-runtime. */
export interface LeaderElectorOptions {
  client: LeaseClient;
  /** Unique per replica, conventionally the pod name. */
  identity: string;
  callbacks: LeaderCallbacks;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Release the Lease on clean shutdown so a successor takes over within one retry period. Default true. */
  releaseOnCancel?: boolean;
  clock?: Clock;
  /** Source of jitter in [0, 1); injectable for deterministic tests. */
  random?: () => number;
  /** Reports API failures that the loop absorbs (they are retried). Must not throw. */
  onError?(err: Error): void;
}

/** The leading signal's abort reason when renewal failed past the renew deadline. */
export class LeadershipLostError extends CertDeployerError {
  constructor(identity: string, detail: string) {
    super(ErrorCode.LeadershipLost, `leader election lost by ${identity}: ${detail}`, { retryable: false });
    this.name = 'LeadershipLostError';
  }
}

/** One candidate. Create one per process and call {@link LeaderElector.run} once. */
export class LeaderElector {
  readonly identity: string;
  readonly #o: Required<Omit<LeaderElectorOptions, 'onError' | 'callbacks' | 'client' | 'identity'>>;
  readonly #client: LeaseClient;
  readonly #callbacks: LeaderCallbacks;
  readonly #onError: (err: Error) => void;
  #obs: LeaseObservation | undefined;
  #resourceVersion = '';
  #leading = false;
  #lastRenewMs = 0;
  #reportedLeader: string | undefined;

  constructor(opts: LeaderElectorOptions) {
    if (!opts.identity) throw new TypeError('leader election: identity must be a non-empty string');
    this.identity = opts.identity;
    this.#client = opts.client;
    this.#callbacks = opts.callbacks;
    this.#onError = opts.onError ?? (() => {});
    this.#o = {
      leaseDurationMs: opts.leaseDurationMs ?? 15_000,
      renewDeadlineMs: opts.renewDeadlineMs ?? 10_000,
      retryPeriodMs: opts.retryPeriodMs ?? 2_000,
      releaseOnCancel: opts.releaseOnCancel ?? true,
      clock: opts.clock ?? realClock,
      random: opts.random ?? Math.random,
    };
    const problem = timingsProblem(this.#o);
    if (problem !== undefined) throw new RangeError(`leader election: ${problem}`);
  }

  /** True between acquiring and losing/releasing the Lease. */
  isLeader(): boolean {
    return this.#leading;
  }

  /** The holder this candidate last observed ('' when free), or undefined before the first read. */
  observedLeader(): string | undefined {
    return this.#obs?.record.holderIdentity;
  }

  /**
   * For `/healthz` (client-go's HealthzAdaptor): a problem description when we lead but have
   * not renewed for longer than the lease duration plus `toleranceMs`, else undefined.
   */
  healthProblem(toleranceMs = 20_000): string | undefined {
    if (!this.#leading) return undefined;
    const late = this.#o.clock.now() - this.#lastRenewMs - this.#o.leaseDurationMs;
    return late > toleranceMs ? `leader ${this.identity} has not renewed its lease for ${late + this.#o.leaseDurationMs} ms` : undefined;
  }

  /**
   * Campaigns until leading, leads until the lease is lost or `signal` aborts, then returns.
   * Never rejects for API errors (they are retried and reported through `onError`).
   */
  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.#acquire(signal))) return;
    const leading = new AbortController();
    const onShutdown = (): void => leading.abort(signal.reason);
    if (signal.aborted) onShutdown();
    else signal.addEventListener('abort', onShutdown, { once: true });
    this.#leading = true;
    let work: Promise<void>;
    try {
      work = Promise.resolve(this.#callbacks.onStartedLeading(leading.signal));
    } catch (err) {
      work = Promise.reject(err);
    }
    work = work.catch((err: unknown) => this.#onError(asError(err)));
    const lost = await this.#renewUntilLost(leading.signal);
    this.#leading = false;
    if (lost !== undefined) leading.abort(lost);
    signal.removeEventListener('abort', onShutdown);
    await work;
    if (lost === undefined && this.#o.releaseOnCancel) await this.release();
    this.#callbacks.onStoppedLeading?.();
  }

  /**
   * Gives the Lease up if we hold it: empty holder, 1 s duration (client-go ReleaseOnCancel).
   * `run()` calls it on clean shutdown after the work stopped; call it directly only after
   * `run()` has returned. On a conflict (e.g. a renewal we stopped waiting for did land) it
   * re-reads once and releases only if the Lease is still ours. Bounded by the renew deadline.
   */
  async release(): Promise<void> {
    if (this.#obs?.record.holderIdentity !== this.identity || this.#resourceVersion === '') return;
    await withTimeout(this.#o.clock, this.#o.renewDeadlineMs, undefined, async (signal) => {
      for (let attempt = 0; attempt < 2; attempt++) {
        const obs = this.#obs;
        if (obs === undefined || obs.record.holderIdentity !== this.identity) return;
        const now = this.#o.clock.now();
        const record = releasedRecord(obs, now);
        try {
          const state = await this.#client.update(record, this.#resourceVersion, signal);
          this.#resourceVersion = state.resourceVersion;
          this.#obs = { record, observedAtMs: now };
          return;
        } catch (err) {
          if (!isConflict(err)) throw err;
          const fresh = await this.#client.get(signal);
          if (fresh === undefined) return;
          this.#obs = observe(this.#obs, fresh.record, this.#o.clock.now());
          this.#resourceVersion = fresh.resourceVersion;
        }
      }
    }).catch((err: unknown) => this.#onError(asError(err)));
  }

  /** client-go `acquire`: retry every retryPeriod (+ up to 1.2× jitter) until leading or aborted. */
  async #acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (await withTimeout(this.#o.clock, this.#o.renewDeadlineMs, signal, (s) => this.#tryAcquireOrRenew(s))) return true;
      const wait = this.#o.retryPeriodMs * (1 + this.#o.random() * JITTER_FACTOR);
      await this.#o.clock.sleep(wait, signal).catch(() => undefined);
    }
    return false;
  }

  /**
   * client-go `renew`: every retryPeriod, keep trying to renew until it succeeds or the renew
   * deadline passes. Returns the loss reason, or undefined when stopped by `signal`.
   */
  async #renewUntilLost(signal: AbortSignal): Promise<LeadershipLostError | undefined> {
    const { clock, renewDeadlineMs, retryPeriodMs } = this.#o;
    for (;;) {
      const deadline = clock.now() + renewDeadlineMs;
      for (;;) {
        if (signal.aborted) return undefined;
        if (await withTimeout(clock, Math.max(1, deadline - clock.now()), signal, (s) => this.#tryAcquireOrRenew(s))) break;
        if (signal.aborted) return undefined;
        if (clock.now() + retryPeriodMs >= deadline) {
          return new LeadershipLostError(this.identity, `could not renew within the ${renewDeadlineMs} ms renew deadline`);
        }
        await clock.sleep(retryPeriodMs, signal).catch(() => undefined);
      }
      await clock.sleep(retryPeriodMs, signal).catch(() => undefined);
    }
  }

  /** One attempt; true when we hold the lease afterwards. */
  async #tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const now = this.#o.clock.now();
    const durationSec = this.#o.leaseDurationMs / 1000;
    if (canRenewWithoutRead(this.#obs, this.identity, now) && this.#resourceVersion !== '') {
      const decision = decideLease(this.#obs!, this.identity, now, durationSec);
      if (decision.kind === 'write' && (await this.#write(decision.record, now, signal))) return true;
    }
    let state;
    try {
      state = await this.#client.get(signal);
    } catch (err) {
      this.#report(err, signal);
      return false;
    }
    if (state === undefined) {
      const record = initialRecord(this.identity, now, durationSec);
      try {
        const created = await this.#client.create(record, signal);
        this.#resourceVersion = created.resourceVersion;
        return this.#succeeded({ record, observedAtMs: now });
      } catch (err) {
        this.#report(err, signal);
        return false;
      }
    }
    this.#obs = observe(this.#obs, state.record, now);
    this.#resourceVersion = state.resourceVersion;
    this.#announce(this.#obs.record.holderIdentity);
    const decision = decideLease(this.#obs, this.identity, now, durationSec);
    if (decision.kind === 'wait') return false;
    return this.#write(decision.record, now, signal);
  }

  async #write(record: LeaseObservation['record'], now: number, signal: AbortSignal): Promise<boolean> {
    try {
      const state = await this.#client.update(record, this.#resourceVersion, signal);
      this.#resourceVersion = state.resourceVersion;
      return this.#succeeded({ record, observedAtMs: now });
    } catch (err) {
      this.#report(err, signal);
      return false;
    }
  }

  /** A conflict is a lost race, not a fault (the next read shows who won); aborts are expected. */
  #report(err: unknown, signal: AbortSignal): void {
    const shuttingDown = signal.aborted && !(signal.reason instanceof DeadlineError);
    if (!isConflict(err) && !shuttingDown) this.#onError(asError(err));
  }

  #succeeded(obs: LeaseObservation): boolean {
    this.#obs = obs;
    this.#lastRenewMs = obs.observedAtMs;
    this.#announce(this.identity);
    return true;
  }

  #announce(holder: string): void {
    if (holder === '' || holder === this.#reportedLeader) return;
    this.#reportedLeader = holder;
    try {
      this.#callbacks.onNewLeader?.(holder);
    } catch (err) {
      this.#onError(asError(err));
    }
  }
}

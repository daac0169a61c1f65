/**
 * A list+watch informer that does not die. client-node's informer stops for good on any error
 * other than 410, never asks for bookmarks, and can go silent without reporting it
 * (kubernetes-client/javascript#364, #596, #958). This supervisor:
 *
 * - lists (paginated, selectors identical to the watch), then watches from the list's
 *   resourceVersion with `allowWatchBookmarks=true`, tracking the latest resourceVersion;
 * - on a normal watch end resumes from that resourceVersion; on 410 Gone relists immediately
 *   and emits the adds/updates/deletes the gap hid; on any other error retries with jittered
 *   exponential backoff (client-go reflector: 800 ms → 30 s);
 * - treats a watch with no event or bookmark for `staleAfterMs` as dead: `health()` reports it
 *   stale and the watchdog reconnects;
 * - applies `transform` before caching, so e.g. Secret data need never be held in memory.
 */
import { realClock, type Clock, type TimerHandle } from '../../core/clock.ts';
import { CertDeployerError, ErrorCode, hasCode } from '../../core/errors.ts';
import { backoffDelay, type BackoffPolicy } from '../../core/backoff.ts';
import { asError, isGone, KubeApiError, type KubeStatus } from './kube-errors.ts';
import type { KubeTransport, WatchEvent } from './kube-transport.ts';
import { ObjectCache, type CacheChange, type CachedObject } from './object-cache.ts';

/** Change callbacks; they run synchronously and should only enqueue keys. */
export interface InformerHandlers<T> {
  onAdd?(obj: T): void;
  onUpdate?(old: T, obj: T): void;
  onDelete?(obj: T): void;
}

/** Configuration. Only `name`, `transport` and `path` are required. */
export interface InformerOptions<T extends CachedObject> {
  /** Used in errors and health output, e.g. `secrets`. */
  name: string;
  transport: KubeTransport;
  /** Collection path (see `collectionPath`); namespaced mode is just a namespaced path. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Runs on every object before it is cached or handed to handlers; must keep metadata. */
  transform?: (obj: T) => T;
  handlers?: InformerHandlers<T>;
  clock?: Clock;
  random?: () => number;
  backoff?: BackoffPolicy;
  /** No event, bookmark or (re)connect for this long while watching = stale. Default 150 s (bookmarks come every ~60 s). */
  staleAfterMs?: number;
  /** Server-side watch timeout; default random in [300, 600) s like client-go. */
  watchTimeoutSeconds?: number;
  /** List page size. Default 500. */
  pageSize?: number;
  /** Also relist this often (a safety net against silently lost events); off by default. */
  relistIntervalMs?: number;
  /** Reports absorbed failures (they are retried). Must not throw. */
  onError?(err: Error, phase: 'list' | 'watch' | 'handler'): void;
}

/** Snapshot for `/readyz` and diagnostics. */
export interface InformerHealth {
  name: string;
  synced: boolean;
  watching: boolean;
  /** True while running and nothing was heard from the server for longer than `staleAfterMs`. */
  stale: boolean;
  lastActivityMs: number;
  resourceVersion: string;
  consecutiveFailures: number;
  /** Completed lists, including the first. */
  lists: number;
  lastError?: string;
}

const RELIST_DUE = Symbol('relist-due');

/** Raised into the watch when the watchdog finds it silent. */
export class StaleWatchError extends CertDeployerError {
  constructor(name: string, ms: number) {
    super(ErrorCode.StaleWatch, `informer ${name}: no event or bookmark for ${ms} ms; reconnecting`, { retryable: true });
    this.name = 'StaleWatchError';
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasCode(value, ErrorCode.StaleWatch);
  }
}

/** See the module comment. Call {@link start}, then {@link waitForSync} before using the cache. */
export class InformerSupervisor<T extends CachedObject> {
  readonly #o: InformerOptions<T>;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #backoff: BackoffPolicy;
  readonly #staleAfterMs: number;
  readonly #cache = new ObjectCache<T>();
  readonly #stop = new AbortController();
  #loop: Promise<void> | undefined;
  #rv = '';
  #synced = false;
  #watching = false;
  #lastActivity = 0;
  #lastListAt = 0;
  #failures = 0;
  #lists = 0;
  #lastError: string | undefined;
  #syncWaiters: Array<() => void> = [];

  constructor(opts: InformerOptions<T>) {
    this.#o = opts;
    this.#clock = opts.clock ?? realClock;
    this.#random = opts.random ?? Math.random;
    this.#backoff = opts.backoff ?? { initialMs: 800, maxMs: 30_000, jitter: 1 };
    this.#staleAfterMs = opts.staleAfterMs ?? 150_000;
  }

  /** Starts listing and watching in the background. Idempotent; not restartable after stop(). */
  start(): void {
    if (this.#loop !== undefined || this.#stop.signal.aborted) return;
    this.#lastActivity = this.#clock.now();
    this.#loop = this.#run(this.#stop.signal);
  }

  /** Stops the watch and waits for the loop to exit. The cache keeps its last contents. */
  async stop(): Promise<void> {
    this.#stop.abort(new Error(`informer ${this.#o.name} stopped`));
    for (const resolve of this.#syncWaiters.splice(0)) resolve();
    await this.#loop;
  }

  /** True once the first list has been applied. */
  hasSynced(): boolean {
    return this.#synced;
  }

  /** Resolves after the first list (or immediately after stop()); rejects if `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.#synced || this.#stop.signal.aborted) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(signal!.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#syncWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  /** The cached object for `namespace/name` (or `name`). */
  get(key: string): T | undefined {
    return this.#cache.get(key);
  }

  /** Every cached object (already transformed). */
  list(): T[] {
    return this.#cache.list();
  }

  /** Every cached key, e.g. to enqueue all objects after a configuration change. */
  keys(): string[] {
    return this.#cache.keys();
  }

  /** Current state for probes: `/readyz` wants `synced`, `/livez` wants `!stale`. */
  health(): InformerHealth {
    const running = this.#loop !== undefined && !this.#stop.signal.aborted;
    return {
      name: this.#o.name,
      synced: this.#synced,
      watching: this.#watching,
      stale: running && this.#clock.now() - this.#lastActivity > this.#staleAfterMs,
      lastActivityMs: this.#lastActivity,
      resourceVersion: this.#rv,
      consecutiveFailures: this.#failures,
      lists: this.#lists,
      ...(this.#lastError !== undefined ? { lastError: this.#lastError } : {}),
    };
  }

  async #run(signal: AbortSignal): Promise<void> {
    let needList = true;
    while (!signal.aborted) {
      let phase: 'list' | 'watch' = needList ? 'list' : 'watch';
      try {
        if (needList) {
          await this.#relist(signal);
          needList = false;
          phase = 'watch';
        }
        const outcome = await this.#watchOnce(signal);
        if (outcome === RELIST_DUE) needList = true;
        else if (outcome === 'empty') await this.#fail(new Error(`informer ${this.#o.name}: watch closed immediately without any event`), 'watch', signal);
        else this.#failures = 0;
      } catch (err) {
        if (signal.aborted) break;
        if (phase === 'watch' && isGone(err)) {
          // 410: our resourceVersion was compacted away; only a fresh list can resync us.
          this.#report(err, 'watch');
          needList = true;
          this.#rv = '';
          continue;
        }
        await this.#fail(err, phase, signal);
      }
    }
    this.#watching = false;
  }

  async #fail(err: unknown, phase: 'list' | 'watch', signal: AbortSignal): Promise<void> {
    this.#failures++;
    this.#report(err, phase);
    await this.#clock.sleep(backoffDelay(this.#failures, this.#backoff, this.#random), signal).catch(() => undefined);
  }

  #report(err: unknown, phase: 'list' | 'watch' | 'handler'): void {
    const e = asError(err);
    this.#lastError = `${phase}: ${e.message}`;
    try {
      this.#o.onError?.(e, phase);
    } catch {
      // a reporting hook must not break the loop
    }
  }

  /** Paginated list; each page is transformed before the next is fetched, then diffed into the cache. */
  async #relist(signal: AbortSignal): Promise<void> {
    const items: T[] = [];
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await this.#o.transport.list<T>(this.#o.path, {
        labelSelector: this.#o.labelSelector, fieldSelector: this.#o.fieldSelector, limit: this.#o.pageSize ?? 500, continue: cont,
      }, signal);
      for (const item of page.items ?? []) items.push(this.#transform(item));
      cont = page.metadata?.continue || undefined;
      rv = page.metadata?.resourceVersion ?? rv;
    } while (cont !== undefined && !signal.aborted);
    for (const change of this.#cache.replace(items)) this.#dispatch(change);
    this.#rv = rv;
    this.#lists++;
    this.#lastListAt = this.#clock.now();
    this.#touch();
    if (!this.#synced) {
      this.#synced = true;
      for (const resolve of this.#syncWaiters.splice(0)) resolve();
    }
  }

  /** One watch from the current resourceVersion, under the watchdog and the relist timer. */
  async #watchOnce(signal: AbortSignal): Promise<'closed' | 'empty' | typeof RELIST_DUE> {
    const ctl = new AbortController();
    const onStop = (): void => ctl.abort(signal.reason);
    if (signal.aborted) onStop();
    else signal.addEventListener('abort', onStop, { once: true });
    const timers: TimerHandle[] = [];
    const watchdog = (): void => {
      const quietFor = this.#clock.now() - this.#lastActivity;
      if (quietFor >= this.#staleAfterMs) ctl.abort(new StaleWatchError(this.#o.name, quietFor));
      else timers.push(this.#clock.setTimeout(watchdog, this.#staleAfterMs - quietFor));
    };
    timers.push(this.#clock.setTimeout(watchdog, this.#staleAfterMs));
    if (this.#o.relistIntervalMs !== undefined) {
      timers.push(this.#clock.setTimeout(() => ctl.abort(RELIST_DUE), this.#lastListAt + this.#o.relistIntervalMs - this.#clock.now()));
    }
    let events = 0;
    const openedAt = this.#clock.now();
    try {
      const stream = await this.#o.transport.watch<T>(this.#o.path, {
        resourceVersion: this.#rv, allowWatchBookmarks: true, labelSelector: this.#o.labelSelector, fieldSelector: this.#o.fieldSelector,
        timeoutSeconds: this.#o.watchTimeoutSeconds ?? Math.floor(300 + this.#random() * 300),
      }, ctl.signal);
      this.#watching = true;
      this.#touch();
      for await (const ev of stream) {
        events++;
        this.#touch();
        this.#apply(ev);
      }
      // A server that closes watches at once would otherwise be hammered in a tight loop.
      return events === 0 && this.#clock.now() - openedAt < 1000 ? 'empty' : 'closed';
    } catch (err) {
      if (ctl.signal.reason === RELIST_DUE) return RELIST_DUE;
      throw ctl.signal.aborted && !signal.aborted ? ctl.signal.reason : err;
    } finally {
      this.#watching = false;
      for (const t of timers) t.cancel();
      signal.removeEventListener('abort', onStop);
    }
  }

  #apply(ev: WatchEvent<T>): void {
    const rv = ev.object?.metadata?.resourceVersion;
    switch (ev.type) {
      case 'ADDED':
      case 'MODIFIED':
        this.#dispatch(this.#cache.upsert(this.#transform(ev.object)));
        break;
      case 'DELETED':
        this.#dispatch(this.#cache.remove(this.#transform(ev.object)));
        break;
      case 'BOOKMARK':
        break;
      case 'ERROR':
        throw KubeApiError.fromStatus(ev.object as KubeStatus, `informer ${this.#o.name}: watch ${this.#o.path}`);
      default:
        return;
    }
    if (rv) this.#rv = rv;
  }

  #transform(obj: T): T {
    return this.#o.transform ? this.#o.transform(obj) : obj;
  }

  #dispatch(change: CacheChange<T> | undefined): void {
    if (change === undefined) return;
    const h = this.#o.handlers;
    try {
      if (change.type === 'add') h?.onAdd?.(change.obj);
      else if (change.type === 'update') h?.onUpdate?.(change.old, change.obj);
      else h?.onDelete?.(change.obj);
    } catch (err) {
      this.#report(err, 'handler');
    }
  }

  #touch(): void {
    this.#lastActivity = this.#clock.now();
  }
}

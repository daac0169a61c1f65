/**
 * A small warm pool of confined workers. Start-up costs seconds (Node plus every connector's
 * dependencies), a call on a warm worker costs milliseconds, so the pool keeps `spares` workers
 * started ahead of need.
 *
 * Workers are bound to an affinity key (the controller uses the namespace: the tenant
 * boundary). A worker only ever serves calls of one key, so a connector that leaves something
 * behind in its worker (a patched global, a timer) can reach later calls of the same tenant at
 * most, never another tenant's key material. A worker is retired after `maxCallsPerWorker`
 * calls and after any failed call; the pool never holds more than `maxWorkers` processes and
 * evicts the idle worker used longest ago when it needs room.
 */
import type { Sandbox } from '@cert-deployer/connector-sdk/sandbox';
import { ConfinedChild, type ConfinedChildOptions } from './confined-child.ts';

export interface ConfinedPoolOptions extends Omit<ConfinedChildOptions, 'trace'> {
  /** Workers started ahead of need (not yet bound to a key). */
  readonly spares: number;
  /** Upper bound of worker processes, busy and idle together. */
  readonly maxWorkers: number;
  readonly maxCallsPerWorker: number;
  readonly trace?: ((line: string) => void) | undefined;
}

interface Slot {
  readonly child: ConfinedChild;
  key: string | undefined;
  busy: boolean;
  lastUsed: number;
}

export class ConfinedPool {
  readonly #opts: ConfinedPoolOptions;
  readonly #slots = new Set<Slot>();
  readonly #waiters: (() => void)[] = [];
  #closed = false;

  constructor(opts: ConfinedPoolOptions) {
    if (opts.maxWorkers < 1 || opts.spares < 0 || opts.spares > opts.maxWorkers) throw new Error('worker pool: need 0 <= spares <= maxWorkers and maxWorkers >= 1');
    this.#opts = opts;
  }

  /** Starts the spare workers. */
  start(): void {
    this.#refill();
  }

  /** Worker processes now: bound to a key and busy, bound and idle, and unbound spares. */
  stats(): { busy: number; idle: number; spares: number } {
    let busy = 0, idle = 0, spares = 0;
    for (const s of this.#slots) {
      if (s.busy) busy++;
      else if (s.key === undefined) spares++;
      else idle++;
    }
    return { busy, idle, spares };
  }

  /** Resident memory of each live worker, in bytes. */
  async rssBytes(): Promise<number[]> {
    const all = await Promise.all([...this.#slots].map((s) => s.child.rssBytes()));
    return all.filter((n): n is number => n !== undefined);
  }

  /** Waits until every spare worker is ready (tests and benchmarks use it to measure a warm call). */
  async warm(signal: AbortSignal): Promise<void> {
    this.#refill();
    await Promise.all([...this.#slots].map((s) => s.child.ready(signal).catch(() => undefined)));
  }

  /** Runs one call on a worker bound to `key`; every failure is a WorkerError, never a throw of the worker's. */
  async run(key: string, payload: unknown, sandbox: Sandbox, signal: AbortSignal): Promise<unknown> {
    const slot = await this.#acquire(key, signal);
    let failed = true;
    try {
      await slot.child.ready(signal);
      const value = await slot.child.run(payload, sandbox, signal);
      failed = false;
      return value;
    } finally {
      slot.busy = false;
      slot.lastUsed = performance.now();
      if (failed || !slot.child.alive || slot.child.calls >= this.#opts.maxCallsPerWorker || this.#closed) this.#retire(slot);
      this.#wake();
      this.#refill();
    }
  }

  /** Stops every worker. Calls in flight fail with a crash error. */
  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#slots];
    this.#slots.clear();
    await Promise.all(all.map((s) => s.child.close()));
    this.#wake();
  }

  async #acquire(key: string, signal: AbortSignal): Promise<Slot> {
    for (;;) {
      if (this.#closed) throw new Error('worker pool closed');
      signal.throwIfAborted();
      const slot = this.#take(key);
      if (slot) return slot;
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        this.#waiters.push(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
  }

  /** An idle worker of `key`, else a spare, else a new worker (evicting an idle one if full). */
  #take(key: string): Slot | undefined {
    this.#prune();
    const free = [...this.#slots].filter((s) => !s.busy && s.child.alive);
    const pick = free.find((s) => s.key === key) ?? free.find((s) => s.key === undefined);
    if (pick) return this.#bind(pick, key);
    if (this.#slots.size >= this.#opts.maxWorkers) {
      const lru = free.sort((a, b) => a.lastUsed - b.lastUsed)[0];
      if (lru === undefined) return undefined;
      this.#retire(lru);
    }
    return this.#bind(this.#spawn(), key);
  }

  #bind(slot: Slot, key: string): Slot {
    slot.key = key;
    slot.busy = true;
    return slot;
  }

  #spawn(): Slot {
    const slot: Slot = { child: new ConfinedChild({ ...this.#opts }), key: undefined, busy: false, lastUsed: performance.now() };
    this.#slots.add(slot);
    return slot;
  }

  #retire(slot: Slot): void {
    this.#slots.delete(slot);
    void slot.child.close();
  }

  /** Drops idle workers that died (a spare that failed to start, a worker killed from outside). */
  #prune(): void {
    for (const s of [...this.#slots]) if (!s.busy && !s.child.alive) this.#retire(s);
  }

  #refill(): void {
    if (this.#closed) return;
    this.#prune();
    let spares = [...this.#slots].filter((s) => s.key === undefined).length;
    while (spares < this.#opts.spares && this.#slots.size < this.#opts.maxWorkers) {
      this.#spawn();
      spares++;
    }
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
}

/**
 * Instances started ahead, so a deploy does not wait for a worker thread to start (most of the
 * WASM tier's cost per call, docs/plugins.md). Each instance still serves exactly ONE call and
 * is closed after it — nothing of one deploy (a key, a tenant's config) can be left in memory for
 * the next — the pool only moves the start off the critical path: after a call, the caller
 * starts the replacement. Instances are started only for a plugin that has served a pinned target (the
 * first take), never at load; until a call binds it, a started instance's host functions
 * refuse everything. `close()` stops the spare workers (the controller calls it on stop).
 */
import type { PluginArtifact } from './plugin-artifact.ts';
import { startInstance, type PluginInstance, type PluginLimits } from './plugin-instance.ts';

export class PluginPool {
  readonly #limits: PluginLimits;
  /** At most one spare per plugin digest; null when starting it failed. */
  readonly #spares = new Map<string, Promise<PluginInstance | null>>();
  #closed = false;

  constructor(limits: PluginLimits) {
    this.#limits = limits;
  }

  /** The limits every instance of this pool is started with. */
  get limits(): PluginLimits {
    return this.#limits;
  }

  /** A fresh instance of `artifact`: the spare when there is one, else one started now. */
  async take(artifact: PluginArtifact): Promise<PluginInstance> {
    const spare = this.#spares.get(artifact.digest);
    this.#spares.delete(artifact.digest);
    return (await spare) ?? startInstance(artifact, this.#limits);
  }

  /**
   * Starts the next spare of `artifact` (if none is there). The caller does this after its call
   * ended, so starting a worker does not compete with the call for the CPU.
   */
  replenish(artifact: PluginArtifact): void {
    if (this.#closed || this.#spares.has(artifact.digest)) return;
    this.#spares.set(artifact.digest, startInstance(artifact, this.#limits).catch(() => null));
  }

  /** Stops every spare; later takes start instances on demand and keep no spares. */
  async close(): Promise<void> {
    this.#closed = true;
    const spares = [...this.#spares.values()];
    this.#spares.clear();
    await Promise.all(spares.map(async (s) => (await s)?.plugin.close().catch(() => undefined)));
  }
}

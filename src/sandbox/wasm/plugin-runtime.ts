/**
 * Runs one export of a plugin against a checked Sandbox, through Extism (`@extism/extism`).
 * Each call gets a fresh instance (`plugin-instance.ts`: its own worker, no WASI, no hosts or
 * paths, limits), started on demand or taken from a pool that started it ahead; it is closed
 * after the call. A fresh instance per call keeps no state between deploys (idempotency must
 * come from the target) and frees the key material the input carried when the worker ends.
 */
import type { Sandbox } from '@cert-deployer/connector-sdk/sandbox';
import { CallState } from './host-functions.ts';
import type { PluginArtifact } from './plugin-artifact.ts';
import { PluginError } from './plugin-error.ts';
import { DEFAULT_PLUGIN_LIMITS, startInstance, type PluginInstance, type PluginLimits } from './plugin-instance.ts';
import type { PluginPool } from './plugin-pool.ts';

/** What a call produced: the plugin's JSON output and the per-call state (errors behind refs). */
export interface PluginCallResult {
  readonly output: unknown;
  readonly state: CallState;
}

const TIMEOUT = /timed? ?out|timeout/i;

/** Calls `exportName` with `input` (JSON text); the plugin reaches the world only through `sandbox`. */
export async function callPlugin(artifact: PluginArtifact, exportName: string, input: string, sandbox: Sandbox, signal: AbortSignal, limits: PluginLimits = DEFAULT_PLUGIN_LIMITS, pool?: PluginPool): Promise<PluginCallResult> {
  signal.throwIfAborted();
  if (pool) limits = pool.limits; // its instances were started with them
  const state = new CallState();
  let instance: PluginInstance;
  try {
    instance = await (pool ? pool.take(artifact) : startInstance(artifact, limits));
  } catch (err) {
    throw new PluginError(`plugin ${artifact.name} could not be started: ${(err as Error).message}`, { retryable: true, cause: err });
  }
  const plugin = instance.plugin;
  instance.bind({ sandbox, signal, state });
  let grace: NodeJS.Timeout | undefined;
  const onAbort = () => {
    grace = setTimeout(() => void plugin.close(), limits.abortGraceMs);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const out = await plugin.call(exportName, input);
    if (out === null) throw new PluginError(`plugin ${artifact.name} returned no output from ${exportName}`);
    let output: unknown;
    try {
      output = JSON.parse(out.text());
    } catch {
      throw new PluginError(`plugin ${artifact.name}: the output of ${exportName} is not JSON`);
    }
    return { output, state };
  } catch (err) {
    if (err instanceof PluginError) throw err;
    if (signal.aborted) throw signal.reason;
    const message = (err as Error)?.message ?? String(err);
    if (TIMEOUT.test(message)) throw new PluginError(`plugin ${artifact.name} ran longer than ${limits.timeoutMs} ms and was stopped`, { retryable: true, cause: err });
    throw new PluginError(`plugin ${artifact.name} failed in ${exportName}: ${message}`, { retryable: false, cause: err });
  } finally {
    signal.removeEventListener('abort', onAbort);
    clearTimeout(grace);
    // The answer is in hand: the worker is stopped without holding up the caller, and the next
    // spare starts once this call no longer needs the CPU.
    void plugin.close().catch(() => undefined).then(() => pool?.replenish(artifact));
  }
}

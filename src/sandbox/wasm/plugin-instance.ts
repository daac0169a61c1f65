/**
 * One Extism instance of a plugin, in its own worker thread, created with:
 * - no WASI (`useWasi: false`): no file system, clock, random or environment of the host;
 * - no `allowedPaths` and no `allowedHosts`: Extism's own `http_request` refuses every URL;
 * - the host functions of `host-functions.ts` as the only way out, each checking the grant of
 *   the call it is bound to (none until a call binds it);
 * - a wall-clock limit per call (`timeoutMs`: Extism terminates the worker), a cap on
 *   host-allocated memory (`memory.maxPages`), V8 heap limits for the worker, and — checked at
 *   load — a declared maximum on the module's own linear memory.
 * An instance serves exactly one call and is closed after it.
 */
import type * as Extism from '@extism/extism';
import type { Plugin } from '@extism/extism';
import { hostFunctions, type CallBinding } from './host-functions.ts';
import { HOST_NAMESPACE } from './plugin-abi.ts';
import type { PluginArtifact } from './plugin-artifact.ts';

export interface PluginLimits {
  /** Wall-clock limit of one call, host calls included. */
  readonly timeoutMs: number;
  /** Cap on memory Extism allocates for the plugin (inputs, host replies), in 64 KiB pages. */
  readonly maxHostPages: number;
  /** V8 old-generation heap of the worker thread, in MiB. */
  readonly workerHeapMb: number;
  /** After the caller's signal aborts, how long the plugin may go on (to roll back) before it is stopped. */
  readonly abortGraceMs: number;
}

export const DEFAULT_PLUGIN_LIMITS: PluginLimits = Object.freeze({ timeoutMs: 300_000, maxHostPages: 1024, workerHeapMb: 64, abortGraceMs: 10_000 });

/** A started, never-called instance and the slot its host functions read their call from. */
export interface PluginInstance {
  readonly plugin: Plugin;
  bind(call: CallBinding): void;
}

/**
 * Extism is loaded on the first plugin instance, not at start-up: an operator without plugins
 * never loads it (nor the `node:wasi` module it imports, which prints an experimental warning).
 */
let extism: Promise<typeof Extism> | undefined;
const loadExtism = () => (extism ??= import('@extism/extism'));

const noop = () => undefined;
const silentLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop } as unknown as Console;

/** Starts a fresh instance of `artifact` (its worker and module; no export is called). */
export async function startInstance(artifact: PluginArtifact, limits: PluginLimits): Promise<PluginInstance> {
  let current: CallBinding | undefined;
  const { createPlugin } = await loadExtism();
  const plugin = await createPlugin({ wasm: [{ module: artifact.module as never, name: 'main' }] }, {
    useWasi: false,
    allowedPaths: {},
    allowedHosts: [],
    runInWorker: true,
    timeoutMs: limits.timeoutMs,
    memory: { maxPages: limits.maxHostPages, maxHttpResponseBytes: 0, maxVarBytes: 0 },
    nodeWorkerArgs: { name: `plugin ${artifact.name}`, env: {}, resourceLimits: { maxOldGenerationSizeMb: limits.workerHeapMb, maxYoungGenerationSizeMb: 16 } },
    functions: { [HOST_NAMESPACE]: hostFunctions(() => current) },
    logger: silentLogger,
    logLevel: 'silent',
  });
  return {
    plugin,
    bind(call) {
      if (current !== undefined) throw new Error('a plugin instance serves one call only');
      current = call;
    },
  };
}

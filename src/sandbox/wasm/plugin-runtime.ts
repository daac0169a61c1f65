/**
 * Runs one export of a plugin against a checked Sandbox, through Extism (`@extism/extism`).
 * Each call gets a fresh instance in its own worker thread, started with:
 * - no WASI (`useWasi: false`): no file system, clock, random or environment of the host;
 * - no `allowedPaths` and no `allowedHosts`: Extism's own `http_request` refuses every URL;
 * - the host functions of `host-functions.ts` as the only way out, each checking the grant;
 * - a wall-clock limit for the whole call (`timeoutMs`: Extism terminates the worker), a cap
 *   on host-allocated memory (`memory.maxPages`), V8 heap limits for the worker, and — checked
 *   at load — a declared maximum on the module's own linear memory.
 * A fresh instance per call keeps no state between deploys (idempotency must come from the
 * target) and frees the key material the input carried when the worker ends.
 */
import type * as Extism from '@extism/extism';
import type { Plugin } from '@extism/extism';
import type { Sandbox } from '@cert-deployer/connector-sdk/sandbox';
import { CallState, hostFunctions } from './host-functions.ts';
import { HOST_NAMESPACE } from './plugin-abi.ts';
import type { PluginArtifact } from './plugin-artifact.ts';
import { PluginError } from './plugin-error.ts';

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

/** What a call produced: the plugin's JSON output and the per-call state (errors behind refs). */
export interface PluginCallResult {
  readonly output: unknown;
  readonly state: CallState;
}

const TIMEOUT = /timed? ?out|timeout/i;

/**
 * Extism is loaded on the first plugin call, not at start-up: an operator without plugins never
 * loads it (nor the `node:wasi` module it imports, which prints an experimental warning).
 */
let extism: Promise<typeof Extism> | undefined;
const loadExtism = () => (extism ??= import('@extism/extism'));

/** Calls `exportName` with `input` (JSON text); the plugin reaches the world only through `sandbox`. */
export async function callPlugin(artifact: PluginArtifact, exportName: string, input: string, sandbox: Sandbox, signal: AbortSignal, limits: PluginLimits = DEFAULT_PLUGIN_LIMITS): Promise<PluginCallResult> {
  signal.throwIfAborted();
  const state = new CallState();
  let plugin: Plugin;
  try {
    const { createPlugin } = await loadExtism();
    plugin = await createPlugin({ wasm: [{ module: artifact.module as never, name: 'main' }] }, {
      useWasi: false,
      allowedPaths: {},
      allowedHosts: [],
      runInWorker: true,
      timeoutMs: limits.timeoutMs,
      memory: { maxPages: limits.maxHostPages, maxHttpResponseBytes: 0, maxVarBytes: 0 },
      nodeWorkerArgs: { name: `plugin ${artifact.name}`, env: {}, resourceLimits: { maxOldGenerationSizeMb: limits.workerHeapMb, maxYoungGenerationSizeMb: 16 } },
      functions: { [HOST_NAMESPACE]: hostFunctions(sandbox, signal, state) },
      logger: silentLogger,
      logLevel: 'silent',
    });
  } catch (err) {
    throw new PluginError(`plugin ${artifact.name} could not be started: ${(err as Error).message}`, { retryable: true, cause: err });
  }
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
    await plugin.close().catch(() => undefined);
  }
}

const noop = () => undefined;
const silentLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop } as unknown as Console;

/**
 * The worker connector runtime: every deploy, undeploy and inspect of a connector runs in a confined
 * worker process (src/sandbox/worker) while the operator keeps the checked sandbox, so the
 * grant is enforced in the parent exactly as in-process. This module composes the generic
 * pool with the connector-aware codec and the worker entry; the controller's pipeline uses it
 * through its `ConnectorRuntime` interface.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connector, DeployContext, DeployResult, Deployment, InspectResult, Sandbox, PlanResult } from '@cert-deployer/connector-sdk';
import { appReadRoots, appRoot, ConfinedPool, permissionFlags } from '../sandbox/worker/index.ts';
import { decodeDeployResult, decodeInspectResult, encodeCall, type ConnectorCall, decodePlanResult } from './call-codec.ts';

export interface WorkerRuntimeOptions {
  /** Module exporting `connectorsByName` for the worker; default the in-tree registry. */
  readonly registryModule?: string;
  /** Further absolute paths the workers may read (a test registry's folder). */
  readonly extraReadRoots?: readonly string[];
  /** Modules every worker `--import`s first; default the file `--import`s of this process. */
  readonly preload?: readonly string[];
  readonly spares?: number;
  readonly maxWorkers?: number;
  readonly maxCallsPerWorker?: number;
  readonly maxOldSpaceMiB?: number;
  readonly maxRssMiB?: number;
  readonly abortGraceMs?: number;
  readonly trace?: (line: string) => void;
}

/**
 * Defaults: one spare, two workers (about 128 MiB each; the chart's memory limit counts them),
 * 192 MiB of V8 heap and 320 MiB resident per worker, 100 calls before a worker is replaced.
 */
export const WORKER_DEFAULTS = { spares: 1, maxWorkers: 2, maxCallsPerWorker: 100, maxOldSpaceMiB: 192, maxRssMiB: 320, abortGraceMs: 2000 } as const;

/** What one call needs: the same shape as the pipeline's `RuntimeCall`. */
export interface WorkerCall {
  /** Workers are bound to this key (the namespace): one tenant's calls never share a worker with another's. */
  readonly affinity: string;
  readonly connectorName: string;
  readonly config: unknown;
  readonly connector: Connector;
  readonly sandbox: Sandbox;
  readonly context: DeployContext;
  readonly signal: AbortSignal;
}

/** The `--import` modules of this process that are files, as absolute paths (a resolve hook when running from source). */
export function fileImports(execArgv: readonly string[], cwd: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    const value = a === '--import' ? execArgv[++i] : a.startsWith('--import=') ? a.slice('--import='.length) : undefined;
    if (value === undefined) continue;
    const path = value.startsWith('file:') ? fileURLToPath(value) : value.startsWith('.') || isAbsolute(value) ? resolve(cwd, value) : undefined;
    if (path !== undefined) out.push(path);
  }
  return out;
}

export class WorkerConnectorRuntime {
  readonly kind = 'worker' as const;
  readonly #pool: ConfinedPool;

  constructor(opts: WorkerRuntimeOptions = {}) {
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    const entry = fileURLToPath(new URL(`./child-main${ext}`, import.meta.url));
    const registryModule = opts.registryModule ?? new URL(`../connectors/registry${ext}`, import.meta.url).href;
    const preload = opts.preload ?? fileImports(process.execArgv, process.cwd());
    const readRoots = appReadRoots(appRoot(dirname(entry)), [...(opts.extraReadRoots ?? []), ...preload]);
    const o = { ...WORKER_DEFAULTS, ...opts };
    this.#pool = new ConfinedPool({
      entry, args: [registryModule],
      execArgv: permissionFlags({ readRoots, preload, maxOldSpaceMiB: o.maxOldSpaceMiB }),
      maxRssBytes: o.maxRssMiB * 2 ** 20, abortGraceMs: o.abortGraceMs,
      spares: o.spares, maxWorkers: o.maxWorkers, maxCallsPerWorker: o.maxCallsPerWorker, trace: opts.trace,
    });
  }

  /** Starts the spare workers (start-up costs seconds; do it before the first deploy). */
  start(): void {
    this.#pool.start();
  }

  /** Resolves when the spare workers are ready. */
  warm(signal: AbortSignal = new AbortController().signal): Promise<void> {
    return this.#pool.warm(signal);
  }

  async deploy(call: WorkerCall, deployment: Deployment): Promise<DeployResult> {
    return decodeDeployResult(await this.#run(call, 'deploy', deployment));
  }

  /** Plan mode: the call's sandbox is the plan wrapper, so the worker's requests are refused in this process. */
  async plan(call: WorkerCall, deployment: Deployment): Promise<PlanResult> {
    return decodePlanResult(await this.#run(call, 'plan', deployment));
  }

  async undeploy(call: WorkerCall): Promise<void> {
    await this.#run(call, 'undeploy', undefined);
  }

  /** Drift: runs `inspect` in a worker; `call.sandbox` is the parent's read-only sandbox. */
  async inspect(call: WorkerCall, fingerprint: string): Promise<InspectResult> {
    return decodeInspectResult(await this.#run(call, 'inspect', undefined, fingerprint));
  }

  stats(): { busy: number; idle: number; spares: number } {
    return this.#pool.stats();
  }

  rssBytes(): Promise<number[]> {
    return this.#pool.rssBytes();
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  #run(call: WorkerCall, op: ConnectorCall['op'], deployment: Deployment | undefined, fingerprint?: string): Promise<unknown> {
    const payload = encodeCall({ op, connector: call.connectorName, config: call.config, deployment, context: call.context, ...(fingerprint !== undefined ? { fingerprint } : {}) });
    return this.#pool.run(call.affinity, payload, call.sandbox, call.signal);
  }
}

/**
 * The processes under test, started the way they run in production: the controller as the
 * image runs it (`node <heap flags> dist/src/main.js`, built by hack/bench.sh), the peer as its
 * README says (`KUBECONFIG=... cert-manager-sync`), and the floor client. Each is a child of the
 * harness whose cost is read from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../../hack/local-cluster/index.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
/** dist/src/main.js: what the image runs (hack/bench.sh builds it). */
export const DIST_MAIN = join(ROOT, 'dist', 'src', 'main.js');

/**
 * How the controller finds the SDK package: from TypeScript through hack/sdk-from-source.ts
 * (as the tests run it); from dist/ through the workspace link, or, when the link leads out of
 * this tree (a worktree sharing node_modules), through sdk-from-dist.ts. Reported with the flags.
 */
export function sdkResolution(entry: string): string[] {
  if (entry.endsWith('.ts')) return ['--import', join(ROOT, 'hack', 'sdk-from-source.ts')];
  // Where the workspace link really leads (this process may run with a resolve hook itself).
  const link = join(ROOT, 'node_modules', '@cert-deployer', 'connector-sdk');
  const target = existsSync(link) ? realpathSync(link) : '';
  if (target === join(ROOT, 'packages', 'connector-sdk') && existsSync(join(target, 'dist', 'index.js'))) return [];
  return ['--import', join(import.meta.dirname, 'sdk-from-dist.ts')];
}

/**
 * The V8 flags the container runs with (the Dockerfile's ENTRYPOINT); a unit test keeps the
 * Dockerfile and this list the same, so the bench measures what ships. CD_BENCH_NODE_FLAGS
 * (space-separated) replaces them for an experiment, and the report says which were used.
 */
export const SHIPPED_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];
export const CONTROLLER_NODE_FLAGS: readonly string[] = process.env.CD_BENCH_NODE_FLAGS !== undefined ? process.env.CD_BENCH_NODE_FLAGS.split(' ').filter(Boolean) : SHIPPED_NODE_FLAGS;

export interface Tool {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly logs: string[];
  /** The tool's own Prometheus endpoint (the controller's), when it has one. */
  readonly metricsUrl?: string;
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

function launch(name: string, cmd: string, args: readonly string[], env: Record<string, string>, metricsUrl?: string): Tool {
  const { KUBECONFIG: _k, NODE_OPTIONS: _n, ...inherited } = process.env;
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...inherited, ...env } });
  const logs: string[] = [];
  const keep = (d: Buffer): void => {
    logs.push(d.toString());
    if (logs.length > 200) logs.shift();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    name, child, pid: child.pid!, logs, metricsUrl, exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** The controller from dist/, watching `namespaces`, no leader election, errors only. */
export async function startController(ctx: { kubeconfig: string; concurrency: number; controllerEntry: string }, namespaces: readonly string[]): Promise<Tool> {
  const port = await freePort();
  const { kubeconfig, concurrency } = ctx;
  return launch('cert-deployer', process.execPath, [
    ...CONTROLLER_NODE_FLAGS, ...sdkResolution(ctx.controllerEntry), ctx.controllerEntry,
    '--kubeconfig', kubeconfig, '--leader-elect', 'false', '--namespaces', namespaces.join(','),
    '--concurrency', String(concurrency), '--log-level', 'error', '--metrics-bind-address', `127.0.0.1:${port}`,
  ], {}, `http://127.0.0.1:${port}/metrics`);
}

/** cert-manager-sync, limited to `namespaces` (it still lists and caches every Secret). */
export async function startPeer(binary: string, kubeconfig: string, namespaces: readonly string[]): Promise<Tool> {
  const port = await freePort();
  return launch('cert-manager-sync', binary, [], { KUBECONFIG: kubeconfig, METRICS_PORT: String(port), ENABLED_NAMESPACES: namespaces.join(','), LOG_LEVEL: 'error' });
}

/** The floor client (floor-client.ts) over namespace `ns`; resolves with its own timing. */
export async function runFloor(kubeconfig: string, ns: string, concurrency: number, onStart: (t: Tool) => Promise<void>): Promise<{ tool: Tool; result: FloorResult }> {
  const tool = launch('floor', process.execPath, [join(import.meta.dirname, 'floor-client.ts'), kubeconfig, ns, String(concurrency)], {});
  await onStart(tool);
  const code = await tool.exited;
  const out = tool.logs.join('');
  if (code !== 0) throw new Error(`floor client exited ${code}: ${out.slice(-2000)}`);
  return { tool, result: JSON.parse(out.trim().split('\n').pop()!) as FloorResult };
}

/** What the floor client prints: how many deployments it served and its own clock. */
export interface FloorResult {
  readonly deployments: number;
  readonly ms: number;
  readonly cpuSeconds: number;
  readonly maxRssMiB: number;
}

/**
 * Races `work` against the exit of any of `tools`: a tool that dies mid-phase fails the run at
 * once with its last output, instead of the phase waiting out its timeout.
 */
export async function whileRunning<T>(tools: readonly (Tool | undefined)[], work: Promise<T>): Promise<T> {
  const died = tools.filter((t): t is Tool => t !== undefined).map((t) => t.exited.then((code) => {
    throw new Error(`${t.name} exited (${code}) during the phase:\n${t.logs.join('').slice(-3000)}`);
  }));
  return Promise.race([work, ...died]);
}

/** Sum of a metric's samples on a tool's /metrics (0 when unreachable). */
export async function toolMetric(t: Tool, name: string): Promise<number> {
  if (t.metricsUrl === undefined) return 0;
  try {
    const text = await (await fetch(t.metricsUrl)).text();
    return text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `)).reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  } catch {
    return 0;
  }
}

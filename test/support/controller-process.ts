/**
 * The real `cert-deployer` entry point as a child process (node src/main.ts), for tests that
 * need process-level behaviour: leader election between replicas, SIGKILL, SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './control-plane/ports.ts';
import { kubeClients } from './controller-harness.ts';
import { allowAll } from './policy-fixtures.ts';

const MAIN = join(import.meta.dirname, '..', '..', 'src', 'main.ts');
/** Resolves `@cert-deployer/connector-sdk` to this tree's package source (hack/sdk-from-source.ts). */
const FROM_SOURCE = ['--import', join(import.meta.dirname, '..', '..', 'hack', 'sdk-from-source.ts')];

export interface ControllerProcess {
  readonly child: ChildProcess;
  readonly metricsUrl: string;
  readonly logs: string[];
  /** Sum of `cert_deployer_deploys_total` over all labels (0 when unreachable). */
  deploys(): Promise<number>;
  exited: Promise<number | null>;
}

const flag = (args: readonly string[], name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

/**
 * Starts `node src/main.ts` with `args` plus a free metrics port. Like the in-process harness,
 * it first writes an `unrestricted` DeploymentPolicy for each `--namespaces` entry (platform
 * admin's role), unless `allowAll` is false. `env` replaces variables of this process's
 * environment (KUBECONFIG is dropped so only the args choose the cluster).
 */
export async function spawnController(args: readonly string[], env: Record<string, string> = {}, opts: { allowAll?: boolean } = {}): Promise<ControllerProcess> {
  const kubeconfig = flag(args, '--kubeconfig');
  const namespaces = flag(args, '--namespaces')?.split(',').filter(Boolean) ?? [];
  if (opts.allowAll !== false && kubeconfig) {
    const { objects } = kubeClients(kubeconfig);
    for (const ns of namespaces) await allowAll(objects, ns);
  }
  const port = await freePort();
  const { KUBECONFIG: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, [...FROM_SOURCE, MAIN, '--metrics-bind-address', `127.0.0.1:${port}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...inherited, ...env } });
  const logs: string[] = [];
  child.stdout!.on('data', (d: Buffer) => logs.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => logs.push(d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const metricsUrl = `http://127.0.0.1:${port}/metrics`;
  return {
    child, metricsUrl, logs, exited,
    async deploys() {
      try {
        const text = await (await fetch(metricsUrl)).text();
        return text.split('\n').filter((l) => l.startsWith('cert_deployer_deploys_total{')).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
      } catch {
        return 0;
      }
    },
  };
}

/** What a short-lived `cert-deployer` invocation (--help, a config error) did. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/**
 * Runs `node src/main.ts ...args` to completion with exactly `env` (plus PATH), killing it
 * after `timeoutMs` (then `code` is null): for flags that must exit on their own.
 */
export async function runMain(args: readonly string[], env: Record<string, string> = {}, timeoutMs = 20_000): Promise<CliRun> {
  const started = Date.now();
  const child = spawn(process.execPath, [...FROM_SOURCE, MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  clearTimeout(timer);
  return { code, stdout, stderr, ms: Date.now() - started };
}

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
 * admin's role), unless `allowAll` is false.
 */
export async function spawnController(args: readonly string[], opts: { allowAll?: boolean } = {}): Promise<ControllerProcess> {
  const kubeconfig = flag(args, '--kubeconfig');
  const namespaces = flag(args, '--namespaces')?.split(',').filter(Boolean) ?? [];
  if (opts.allowAll !== false && kubeconfig) {
    const { objects } = kubeClients(kubeconfig);
    for (const ns of namespaces) await allowAll(objects, ns);
  }
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN, '--metrics-bind-address', `127.0.0.1:${port}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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

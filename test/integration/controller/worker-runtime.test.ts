/**
 * The real controller process with its default connector runtime: a file target reaches Ready
 * through a confined worker — a child of the controller started with Node's permission model,
 * no allow flag but exact fs reads, and an empty environment — and SIGTERM leaves no worker
 * behind. With `--connector-runtime=in-process` the same deploy starts no worker.
 */
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { keyMaterialLeaks, mintChain } from '../../support/certs/index.ts';
import { createDeployment, eventually, kubeClients, putTlsSecret, readyOf } from '../../support/controller-harness.ts';
import { spawnController, type ControllerProcess } from '../../support/controller-process.ts';
import { createTestNamespace } from '../../support/kube.ts';
import { FORBIDDEN_FLAGS } from '../../../src/sandbox/worker/permission-flags.ts';

const kubeconfig = inject('kubeconfigPath');
const { core, objects } = kubeClients(kubeconfig);
const procs: ControllerProcess[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const p of procs) p.child.kill('SIGKILL');
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

interface Proc { readonly pid: number; readonly argv: string[]; readonly environ: string }

/** Processes whose parent is `ppid`, with their argv and environment (root reads any /proc). */
async function childrenOf(ppid: number): Promise<Proc[]> {
  const out: Proc[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = await readFile(`/proc/${entry}/status`, 'utf8');
      if (/^PPid:\s+(\d+)$/m.exec(status)?.[1] !== String(ppid)) continue;
      out.push({ pid: Number(entry), argv: (await readFile(`/proc/${entry}/cmdline`, 'utf8')).split('\0').filter(Boolean), environ: await readFile(`/proc/${entry}/environ`, 'utf8') });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function deployFileTarget(proc: ControllerProcess, ns: string, dir: string, keyPem: string): Promise<void> {
  await createDeployment(objects, ns, 'web', { secretRef: { name: 'tls' }, targets: [{ name: 'f', file: { certificatePath: join(dir, 'tls.crt'), privateKeyPath: join(dir, 'tls.key') } }] });
  await eventually(async () => ((await readyOf(objects, ns, 'web'))?.ready === 'True' ? true : undefined), 60_000, 'web Ready');
  expect(await readFile(join(dir, 'tls.key'), 'utf8')).toBe(keyPem);
  expect(proc.logs.join('')).not.toContain('MIGHAgEA');
}

describe('connector runtime of the controller process', () => {
  it('by default deploys through a permission-model worker and leaves none behind after SIGTERM', async () => {
    const ns = await createTestNamespace('worker');
    const dir = await mkdtemp(join(tmpdir(), 'cd-worker-'));
    dirs.push(dir);
    const chain = await mintChain({ keyAlgorithm: 'ecdsa-p256' });
    await putTlsSecret(core, ns, 'tls', chain.leafPem, chain.keyPem);
    const proc = await spawnController(['--kubeconfig', kubeconfig, '--namespaces', ns, '--leader-elect', 'false', '--log-level', 'trace']);
    procs.push(proc);
    await deployFileTarget(proc, ns, dir, chain.keyPem);
    // At trace level every IPC message is logged (the key travelled in the call and in the
    // writeFile request): kinds, ids and methods only, no key material.
    const logs = proc.logs.join('');
    expect(logs).toMatch(/"ipc":"← sandbox #\d+ writeFile \(call #\d+\)"/);
    expect(logs).toMatch(/"ipc":"→ call #\d+"/);
    expect(keyMaterialLeaks([logs], [chain.keyPem])).toEqual([]);

    const workers = (await childrenOf(proc.child.pid!)).filter((p) => p.argv.includes('--permission'));
    expect(workers.length).toBeGreaterThan(0);
    for (const w of workers) {
      // Nothing but the IPC channel Node itself sets up (and removes from process.env at start).
      expect(w.environ.split('\0').filter((v) => v !== '' && !v.startsWith('NODE_CHANNEL_'))).toEqual([]);
      expect(w.argv).toContain('--max-old-space-size=192');
      expect(w.argv.filter((a) => FORBIDDEN_FLAGS.some((f) => a.startsWith(f)))).toEqual([]);
      const reads = w.argv.filter((a) => a.startsWith('--allow-fs-read=')).map((a) => a.slice('--allow-fs-read='.length));
      expect(reads.length).toBeGreaterThan(0);
      // Only the app's code and dependencies: never the target directory, /etc, /proc or a token path.
      for (const r of reads) expect(r).toMatch(/\/(src|dist|packages|node_modules)$|\/packages\/[^/]+$|\/hack\/sdk-from-source\.ts$/);
    }
    const start = proc.logs.join('').split('\n').find((l) => l.includes('cert-deployer starting'));
    expect(start).toContain('"connectorRuntime":"worker"');

    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    for (const w of workers) await expect(readFile(`/proc/${w.pid}/status`, 'utf8')).rejects.toThrow();
  }, 120_000);

  it('--connector-runtime=in-process deploys without a worker', async () => {
    const ns = await createTestNamespace('inproc');
    const dir = await mkdtemp(join(tmpdir(), 'cd-inproc-'));
    dirs.push(dir);
    const chain = await mintChain({ keyAlgorithm: 'ecdsa-p256' });
    await putTlsSecret(core, ns, 'tls', chain.leafPem, chain.keyPem);
    const proc = await spawnController(['--kubeconfig', kubeconfig, '--namespaces', ns, '--leader-elect', 'false', '--connector-runtime', 'in-process']);
    procs.push(proc);
    await deployFileTarget(proc, ns, dir, chain.keyPem);
    expect((await childrenOf(proc.child.pid!)).filter((p) => p.argv.includes('--permission'))).toEqual([]);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  }, 120_000);
});

/**
 * Controller benchmark (not a test: it asserts nothing, it prints a table).
 *   node test/bench/controller-scale.ts [--sizes 100,1000] [--secrets 10000] [--concurrency 4]
 * Measures, on its own real control plane with the real controller process (src/main.ts) and
 * the real `file` connector writing into a temp dir:
 *   1. time for N deployments to become Ready (objects created first, then the controller starts);
 *   2. the cost of a controller restart over N Ready deployments: connector calls, status
 *      writes (resourceVersions that changed) and seconds until every key was reconciled;
 *   3. controller RSS before and after M unrelated Secrets exist in the cluster.
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { mintChain } from '../support/certs/index.ts';
import { applyCrds, startControlPlane } from '../../hack/local-cluster/index.ts';
import { spawnController, type ControllerProcess } from '../support/controller-process.ts';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '100,1000' }, secrets: { type: 'string', default: '10000' }, concurrency: { type: 'string', default: '4' } } });
const sizes = values.sizes.split(',').map(Number);
const unrelated = Number(values.secrets);
const binDir = process.env.CD_K8S_BIN_DIR ?? (() => { throw new Error('set CD_K8S_BIN_DIR (hack/lib.sh ensure_k8s)'); })();
const G = { group: 'certdeployer.io', version: 'v1alpha1', plural: 'certificatedeployments' };

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => { while (i < items.length) await fn(items[i++]!); }));
}
async function rssMb(pid: number): Promise<number> {
  const m = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(m?.[1] ?? 0) / 1024);
}
async function metric(p: ControllerProcess, name: string): Promise<number> {
  const text = await (await fetch(p.metricsUrl)).text();
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `)).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

const plane = await startControlPlane({ binDir });
const work = await mkdtemp(join(tmpdir(), 'cd-bench-'));
const rows: [string, string][] = [];
let ctl: ControllerProcess | undefined;
try {
  const kc = new KubeConfig();
  kc.loadFromFile(plane.kubeconfigPath);
  await applyCrds(kc, join(import.meta.dirname, '..', '..', 'deploy', 'crds'));
  const core = kc.makeApiClient(CoreV1Api);
  const objects = kc.makeApiClient(CustomObjectsApi);
  const chain = await mintChain({});
  const tls = { 'tls.crt': Buffer.from(chain.leafPem).toString('base64'), 'tls.key': Buffer.from(chain.keyPem).toString('base64') };
  const start = (ns: string) => spawnController(['--kubeconfig', plane.kubeconfigPath, '--leader-elect', 'false', '--namespaces', ns, '--concurrency', values.concurrency, '--log-level', 'error']);

  for (const n of sizes) {
    const ns = `bench-${n}`;
    await core.createNamespace({ body: { metadata: { name: ns } } });
    const ids = Array.from({ length: n }, (_, i) => i);
    const t0 = performance.now();
    await pool(ids, 16, (i) => core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: `s${i}` }, type: 'kubernetes.io/tls', data: tls } }));
    await pool(ids, 16, (i) => objects.createNamespacedCustomObject({ ...G, namespace: ns, body: {
      apiVersion: 'certdeployer.io/v1alpha1', kind: 'CertificateDeployment', metadata: { name: `d${i}` },
      spec: { secretRef: { name: `s${i}` }, targets: [{ name: 'f', file: { certificatePath: join(work, `${ns}-${i}.crt`), privateKeyPath: join(work, `${ns}-${i}.key`) } }] },
    } }));
    const created = performance.now() - t0;
    const t1 = performance.now();
    ctl = await start(ns);
    type Item = { metadata: { resourceVersion: string; name: string }; status?: { conditions?: { type: string; status: string }[] } };
    let items: Item[] = [];
    for (;;) {
      items = ((await objects.listNamespacedCustomObject({ ...G, namespace: ns })) as { items: Item[] }).items;
      if (items.filter((d) => d.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === n) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const readyS = (performance.now() - t1) / 1000;
    rows.push([`${n} deployments: objects created`, `${(created / 1000).toFixed(1)} s`]);
    rows.push([`${n} deployments: controller start → all Ready`, `${readyS.toFixed(1)} s (${(n / readyS).toFixed(0)}/s)`]);
    rows.push([`${n} deployments: connector calls`, String(await metric(ctl, 'cert_deployer_deploys_total'))]);
    rows.push([`${n} deployments: controller RSS / V8 heap used`, `${await rssMb(ctl.child.pid!)} / ${Math.round((await metric(ctl, 'nodejs_heap_size_used_bytes')) / 2 ** 20)} MiB`]);

    // Restart over N Ready deployments.
    const before = new Map(items.map((d) => [d.metadata.name, d.metadata.resourceVersion]));
    ctl.child.kill('SIGTERM');
    await ctl.exited;
    const t2 = performance.now();
    ctl = await start(ns);
    while ((await metric(ctl, 'controller_runtime_reconcile_total').catch(() => 0)) < n) await new Promise((r) => setTimeout(r, 100));
    const restartS = (performance.now() - t2) / 1000;
    const after = ((await objects.listNamespacedCustomObject({ ...G, namespace: ns })) as { items: Item[] }).items;
    const writes = after.filter((d) => before.get(d.metadata.name) !== d.metadata.resourceVersion).length;
    rows.push([`restart over ${n} Ready: connector calls`, String(await metric(ctl, 'cert_deployer_deploys_total'))]);
    rows.push([`restart over ${n} Ready: status writes`, String(writes)]);
    rows.push([`restart over ${n} Ready: start → all reconciled`, `${restartS.toFixed(1)} s`]);
    ctl.child.kill('SIGTERM');
    await ctl.exited;
    ctl = undefined;
  }

  if (unrelated > 0) {
    const ns = 'bench-unrelated';
    await core.createNamespace({ body: { metadata: { name: ns } } });
    ctl = await spawnController(['--kubeconfig', plane.kubeconfigPath, '--leader-elect', 'false', '--log-level', 'error']);
    await new Promise((r) => setTimeout(r, 3000));
    const base = await rssMb(ctl.child.pid!);
    const baseHeap = Math.round((await metric(ctl, 'nodejs_heap_size_used_bytes')) / 2 ** 20);
    const payload = Buffer.alloc(2048, 7).toString('base64');
    const t0 = performance.now();
    await pool(Array.from({ length: unrelated }, (_, i) => i), 16, (i) => core.createNamespacedSecret({ namespace: ns, body: {
      metadata: { name: `u${i}` }, type: i % 2 === 0 ? 'Opaque' : 'kubernetes.io/tls', data: i % 2 === 0 ? { blob: payload } : tls,
    } }));
    const createdS = (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 5000));
    (globalThis as { gc?: () => void }).gc?.();
    rows.push([`${unrelated} unrelated Secrets (half TLS, 2 KiB each) created`, `${createdS.toFixed(1)} s`]);
    rows.push([`controller RSS (cluster-wide) before → after ${unrelated} Secrets`, `${base} → ${await rssMb(ctl.child.pid!)} MiB`]);
    rows.push([`controller V8 heap used before → after ${unrelated} Secrets`, `${baseHeap} → ${Math.round((await metric(ctl, 'nodejs_heap_size_used_bytes')) / 2 ** 20)} MiB`]);
  }
} finally {
  if (ctl) { ctl.child.kill('SIGTERM'); await ctl.exited; }
  await plane.stop();
  await rm(work, { recursive: true, force: true });
}
const w = Math.max(...rows.map(([k]) => k.length));
console.log(`\n${'measure'.padEnd(w)} | value\n${'-'.repeat(w)}-|------`);
for (const [k, v] of rows) console.log(`${k.padEnd(w)} | ${v}`);

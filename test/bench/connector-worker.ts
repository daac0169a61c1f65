/**
 * What the confined worker runtime costs, against the in-process runtime in the same run: a
 * `file` deploy (certificate + key written through the checked sandbox, alternating two
 * certificates so every deploy writes) in-process, on a warm worker, and on a cold one (a new
 * runtime with no spare: process start, permission model, loading every connector, the call);
 * and the resident memory of a worker. Prints a table; asserts nothing.
 * Run: node --import ./hack/sdk-from-source.ts test/bench/connector-worker.ts   (N=200 COLD=5)
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTlsSecret, type Deployment } from '@cert-deployer/connector-sdk';
import { createSandbox, LocalHost } from '@cert-deployer/connector-sdk/sandbox';
import { fileConnector } from '../../src/connectors/file/index.ts';
import { WorkerConnectorRuntime } from '../../src/connector-worker/index.ts';
import { inProcessRuntime, type ConnectorRuntime } from '../../src/controller/pipeline/connector-runtime.ts';
import { mintChain } from '../support/certs/index.ts';

const N = Number(process.env.N ?? 200);
const COLD = Number(process.env.COLD ?? 5);
const host = new LocalHost();
const dir = await mkdtemp(join(tmpdir(), 'cd-bench-worker-'));
await mkdir(join(dir, 'tls'));
const config = fileConnector.configSchema.parse({ certificatePath: join(dir, 'tls', 'cert.pem'), privateKeyPath: join(dir, 'tls', 'key.pem') });
const connector = fileConnector.create(config);

async function deploymentOf(name: string): Promise<Deployment> {
  const c = await mintChain({ keyAlgorithm: 'ecdsa-p256', intermediates: 1, name, dnsNames: ['bench.example.test'] });
  return parseTlsSecret({ 'tls.crt': c.leafPem + c.intermediatePems.join(''), 'tls.key': c.keyPem }, { now: new Date() });
}
const deployments = [await deploymentOf('A'), await deploymentOf('B')];

let turn = 0;
/** One deploy of the next certificate (A, B, A, ...), so each one writes. */
async function deployOnce(runtime: Pick<ConnectorRuntime, 'deploy'>): Promise<number> {
  const i = turn++;
  const sandbox = createSandbox({ grant: connector.capabilities(), host });
  const t0 = performance.now();
  try {
    const r = await runtime.deploy({ affinity: 'bench', connectorName: 'file', config, connector, sandbox, context: { ownerId: 'bench/t' }, signal: AbortSignal.timeout(60_000) }, deployments[i % 2]!);
    if (!r.changed) throw new Error('expected a write');
  } finally {
    await sandbox.close();
  }
  return performance.now() - t0;
}

const q = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const ms = (x: number): string => `${x.toFixed(2)} ms`;

async function series(runtime: Pick<ConnectorRuntime, 'deploy'>): Promise<number[]> {
  const out: number[] = [];
  for (let n = 0; n < N; n++) out.push(await deployOnce(runtime));
  return out;
}

// Interleave in-process and warm-worker rounds so load on the machine hits both alike.
const worker = new WorkerConnectorRuntime({ spares: 1 });
worker.start();
await worker.warm();
await deployOnce(worker);
const inproc: number[] = [];
const warm: number[] = [];
for (let round = 0; round < 4; round++) {
  inproc.push(...(await series(inProcessRuntime)));
  warm.push(...(await series(worker)));
}
await worker.warm(); // the spare that replaced the bound worker is ready too: measure both
const rss = (await worker.rssBytes()).map((b) => b / 2 ** 20);
await worker.close();

const cold: number[] = [];
for (let n = 0; n < COLD; n++) {
  const t0 = performance.now();
  const fresh = new WorkerConnectorRuntime({ spares: 0 });
  await deployOnce(fresh);
  cold.push(performance.now() - t0);
  await fresh.close();
}

const rows = [
  ['in-process deploy', ms(q(inproc, 0.5)), ms(q(inproc, 0.9)), '1.00'],
  ['worker deploy, warm', ms(q(warm, 0.5)), ms(q(warm, 0.9)), (q(warm, 0.5) / q(inproc, 0.5)).toFixed(2)],
  ['worker deploy, cold (start + call)', ms(q(cold, 0.5)), `max ${ms(Math.max(...cold))}`, (q(cold, 0.5) / q(inproc, 0.5)).toFixed(0)],
];
console.log(`file deploy, ${inproc.length} in-process and ${warm.length} warm-worker deploys interleaved, ${COLD} cold starts`);
console.log('| what | median | p90 | ratio to in-process |\n|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log(`added per deploy, warm: ${ms(q(warm, 0.5) - q(inproc, 0.5))} (median); cold: ${ms(q(cold, 0.5) - q(inproc, 0.5))}`);
console.log(`worker resident memory (VmRSS; the worker that served the calls, and a ready spare): ${rss.map((r) => `${r.toFixed(0)} MiB`).join(', ')}`);
await rm(dir, { recursive: true, force: true });

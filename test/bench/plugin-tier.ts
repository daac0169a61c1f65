/**
 * WASM plugin tier vs in-process, in the same run (not a test: it prints numbers). The same
 * work — write a certificate and a key on the local host, run one reload (`/bin/true`), or find
 * both files already current (replay) — done by the in-tree `example` connector in-process and
 * by the `pem-files` plugin (examples/plugins, built from source) through Extism — an instance
 * started per call, and one taken from a PluginPool that starts the next ahead — each through a
 * checked sandbox with its own declared grant. The tiers run in A-B-C-C-B-A order (each half
 * the deploys) so load on the machine hits them alike. Memory: the process RSS peak above the idle baseline while
 * each tier runs (sampled every 2 ms), and the heap after each tier.
 *   node --expose-gc --import ./hack/sdk-from-source.ts test/bench/plugin-tier.ts [--deploys 40] [--concurrency 4] [--gap-ms 250]
 */
import { mkdir, mkdtemp, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildPlugin } from '../../hack/plugins/build.ts';
import { exampleConnector } from '../../src/connectors/example/index.ts';
import type { Connector } from '@cert-deployer/connector-sdk';
import { pluginDefinition } from '../../src/controller/plugins/plugin-definition.ts';
import { createSandbox, LocalHost } from '@cert-deployer/connector-sdk/sandbox';
import { catalogOf, DEFAULT_PLUGIN_LIMITS, loadPluginFile, PluginPool } from '../../src/sandbox/wasm/index.ts';
import { mintCredential } from '../../packages/connector-sdk/src/conformance/credentials.ts';

const { values } = parseArgs({ options: { deploys: { type: 'string', default: '40' }, concurrency: { type: 'string', default: '4' }, 'gap-ms': { type: 'string', default: '250' } } });
/** Idle time between deploys (untimed): deploys are rare in production, so a pool's spare is ready. */
const GAP = Number(values['gap-ms']);
const idle = () => new Promise((r) => setTimeout(r, GAP));
const N = Number(values.deploys);
const C = Number(values.concurrency);
const host = new LocalHost();
const base = await realpath(await mkdtemp(join(tmpdir(), 'cd-bench-plugin-')));

const built = await buildPlugin('pem-files');
const t0 = performance.now();
const artifact = await loadPluginFile(built.path);
const loadMs = performance.now() - t0;
const plugin = pluginDefinition(catalogOf([artifact]));
const pool = new PluginPool(DEFAULT_PLUGIN_LIMITS);
const pooled = pluginDefinition(catalogOf([artifact]), undefined, pool);

type Tier = { name: string; make: (dir: string) => Connector };
const tiers: Tier[] = [
  { name: 'in-process', make: (dir) => exampleConnector.create(exampleConnector.configSchema.parse({ host: { local: {} }, certificatePath: join(dir, 'c.pem'), privateKeyPath: join(dir, 'k.pem'), reload: ['/bin/true'] })) },
  { name: 'wasm plugin', make: (dir) => plugin.create(plugin.configSchema.parse({ name: 'pem-files', host: { local: {} }, config: { certificatePath: join(dir, 'c.pem'), privateKeyPath: join(dir, 'k.pem'), reload: ['/bin/true'] } })) },
  { name: 'wasm pooled', make: (dir) => pooled.create(pooled.configSchema.parse({ name: 'pem-files', host: { local: {} }, config: { certificatePath: join(dir, 'c.pem'), privateKeyPath: join(dir, 'k.pem'), reload: ['/bin/true'] } })) },
];
const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);

async function deploy(t: Tier, dir: string, dep: typeof a.deployment): Promise<{ ms: number; changed: boolean }> {
  const connector = t.make(dir);
  const sandbox = createSandbox({ grant: connector.capabilities(), host });
  const start = performance.now();
  try {
    const r = await connector.deploy(new AbortController().signal, sandbox, dep, { ownerId: 'bench' });
    return { ms: performance.now() - start, changed: r.changed };
  } finally {
    await sandbox.close();
  }
}

let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 2);
const q = (xs: number[], p: number) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const fmt = (xs: number[]) => `median ${q(xs, 0.5).toFixed(2)} ms, p90 ${q(xs, 0.9).toFixed(2)} ms`;

// Warm-up (JIT, first worker), then an idle baseline.
for (const t of tiers) {
  const d = join(base, `warm-${t.name.replace(' ', '-')}`);
  await mkdir(d, { recursive: true });
  await deploy(t, d, a.deployment);
}
globalThis.gc?.();
await new Promise((r) => setTimeout(r, 200));
const baseline = process.memoryUsage.rss();

const results = new Map(tiers.map((t) => [t.name, { changed: [] as number[], replay: [] as number[], peakMiB: 0, heapMiB: 0, concurrentMs: 0 }]));
for (const [i, t] of [...tiers, ...[...tiers].reverse()].entries()) {
  const r = results.get(t.name)!;
  const dir = join(base, `t${i}`);
  await mkdir(dir, { recursive: true });
  peak = process.memoryUsage.rss();
  for (let k = 0; k < N / 2; k++) {
    await idle();
    const x = await deploy(t, dir, k % 2 === 0 ? a.deployment : b.deployment);
    if (!x.changed) throw new Error(`${t.name}: deploy ${k} changed nothing`);
    r.changed.push(x.ms);
    await idle();
    const y = await deploy(t, dir, k % 2 === 0 ? a.deployment : b.deployment);
    if (y.changed) throw new Error(`${t.name}: replay ${k} changed something`);
    r.replay.push(y.ms);
  }
  // C targets at once (a reconcile deploys a deployment's targets side by side).
  const dirs = await Promise.all(Array.from({ length: C }, async (_, j) => {
    const d = join(base, `t${i}-c${j}`);
    await mkdir(d, { recursive: true });
    return d;
  }));
  const c0 = performance.now();
  await Promise.all(dirs.map((d) => deploy(t, d, a.deployment)));
  r.concurrentMs = Math.max(r.concurrentMs, performance.now() - c0);
  r.peakMiB = Math.max(r.peakMiB, (peak - baseline) / 2 ** 20);
  r.heapMiB = process.memoryUsage().heapUsed / 2 ** 20;
}
clearInterval(sampler);

console.log(`plugin: ${artifact.name} ${artifact.version}, ${(await stat(built.path)).size} bytes, load (read + sha256 + compile + manifest) ${loadMs.toFixed(1)} ms`);
console.log(`deploys per tier: ${N} changed + ${N} replays, A-B-C-C-B-A order, ${GAP} ms idle between deploys; idle RSS ${(baseline / 2 ** 20).toFixed(0)} MiB`);
const ip = results.get('in-process')!;
const wp = results.get('wasm plugin')!;
const pp = results.get('wasm pooled')!;
for (const [name, r] of results) {
  console.log(`${name.padEnd(12)} changed: ${fmt(r.changed)} | replay: ${fmt(r.replay)} | ${C} at once: ${r.concurrentMs.toFixed(1)} ms | RSS peak above idle ${r.peakMiB.toFixed(1)} MiB | heap after ${r.heapMiB.toFixed(1)} MiB`);
}
for (const [name, r] of [['wasm plugin', wp], ['wasm pooled', pp]] as const) {
  console.log(`ratio ${name}/in-process (median): changed ${(q(r.changed, 0.5) / q(ip.changed, 0.5)).toFixed(2)}x, replay ${(q(r.replay, 0.5) / q(ip.replay, 0.5)).toFixed(2)}x; added per deploy: changed +${(q(r.changed, 0.5) - q(ip.changed, 0.5)).toFixed(1)} ms, replay +${(q(r.replay, 0.5) - q(ip.replay, 0.5)).toFixed(1)} ms`);
}
// What a started spare costs while it waits: RSS with the pool's spare, then after closing it.
const settle = async () => {
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, 500));
  return process.memoryUsage.rss();
};
await pool.close();
const before = await settle();
const probe = new PluginPool(DEFAULT_PLUGIN_LIMITS);
probe.replenish(artifact);
await probe.take(artifact).then((i) => probe.replenish(artifact) ?? i.plugin.close());
await new Promise((r) => setTimeout(r, 2000)); // the replenished spare is up
const withSpare = await settle();
await probe.close();
console.log(`one idle spare instance (worker + module): +${((withSpare - before) / 2 ** 20).toFixed(1)} MiB RSS`);
await host.close();
await rm(base, { recursive: true, force: true });

/**
 * Metrics benchmark (not a test: it asserts nothing, it prints a table).
 *   node test/bench/metrics-cardinality.ts [--deployments 100,1000,5000] [--targets 3]
 * For N deployments with T targets each (every per-target series set, as after verification):
 * heap growth, /metrics body size and render time, and the time `forget` takes for all of them.
 * Also the cost of one log line in each --log-format (lines per second into a null stream).
 */
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { createLogger } from '../../src/controller/logger.ts';
import { createMetrics } from '../../src/controller/metrics.ts';

const { values } = parseArgs({ options: { deployments: { type: 'string', default: '100,1000,5000' }, targets: { type: 'string', default: '3' } } });
const T = Number(values.targets);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const heap = () => { gc(); return process.memoryUsage().heapUsed; };

console.log('| deployments | targets | series | heap MiB | /metrics KiB | render ms (median of 5) | forget all ms |');
console.log('|---|---|---|---|---|---|---|');
for (const n of values.deployments.split(',').map(Number)) {
  const before = heap();
  const m = createMetrics({ defaultMetrics: false });
  m.leader(true);
  for (let d = 0; d < n; d++) {
    m.setExpiry('ns', `d${d}`, 1_800_000_000);
    for (let t = 0; t < T; t++) m.target('ns', `d${d}`, `t${t}`, 'nginx', { ready: true, lastSuccessSeconds: 1_790_000_000, servedNotAfterSeconds: 1_800_000_000 });
  }
  const grown = heap() - before;
  const times: number[] = [];
  let body = '';
  for (let i = 0; i < 5; i++) {
    const s = performance.now();
    body = await m.registry.metrics();
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  const s = performance.now();
  for (let d = 0; d < n; d++) m.forget('ns', `d${d}`);
  const forgetMs = performance.now() - s;
  const left = (await m.registry.metrics()).split('\n').filter((l) => l.startsWith('cert_deployer_target_')).length;
  if (left !== 0) throw new Error(`forget left ${left} series`);
  console.log(`| ${n} | ${T} | ${n * (1 + 3 * T)} | ${(grown / 2 ** 20).toFixed(1)} | ${(body.length / 1024).toFixed(0)} | ${times[2]!.toFixed(1)} | ${forgetMs.toFixed(1)} |`);
}

const nul = new Writable({ write: (_c, _e, done) => done() });
console.log('\n| log format | lines/s |');
console.log('|---|---|');
for (const format of ['json', 'text'] as const) {
  const log = createLogger('info', { format, destination: nul });
  const N = 100_000;
  const s = performance.now();
  for (let i = 0; i < N; i++) log.info({ deployment: 'shop/web', target: 'edge-1', connector: 'nginx', changed: true, durationMs: 412 }, 'deploy succeeded');
  console.log(`| ${format} | ${Math.round(N / ((performance.now() - s) / 1000))} |`);
}

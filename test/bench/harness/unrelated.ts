/**
 * Memory with many Secrets the controller must see but does not use: M unrelated Secrets
 * (half Opaque with a 2 KiB value, half kubernetes.io/tls) in a namespace the controller
 * watches, next to the N Ready deployments of the scale run. The controller is started over
 * both namespaces, runs until every deployment was reconciled and the API server is quiet,
 * then its RSS (now and peak) is read; worker processes apart.
 */
import type { BenchContext } from './context.ts';
import { BENCH_LABEL, pool, type Fixture } from './fixtures.ts';
import { statusMiB, watchProcess } from './proc-stats.ts';
import type { Section } from './report.ts';
import { restartOver } from './scale.ts';
import { toolMetric } from './tools.ts';

export async function unrelatedSecrets(ctx: BenchContext, f: Fixture, m: number): Promise<{ section: Section; peakRssMiB: number }> {
  const ns = 'unrelated';
  await ctx.core.createNamespace({ body: { metadata: { name: ns, labels: BENCH_LABEL } } });
  const payload = Buffer.alloc(2048, 7).toString('base64');
  const tls = f.entries[0]!;
  const data = { 'tls.crt': Buffer.from(tls.leaf.chainPem.slice(0, -1).join('')).toString('base64'), 'tls.key': Buffer.from(tls.leaf.keyPem).toString('base64') };
  ctx.log(`unrelated: creating ${m} Secrets`);
  await pool(Array.from({ length: m }, (_, i) => i), 16, (i) => ctx.core.createNamespacedSecret({ namespace: ns, body: {
    metadata: { name: `u${i}` }, type: i % 2 === 0 ? 'Opaque' : 'kubernetes.io/tls', data: i % 2 === 0 ? { blob: payload } : data,
  } }));
  const r = await restartOver(ctx, f, [ns]);
  try {
    const w = await watchProcess(r.tool.pid);
    await new Promise((res) => setTimeout(res, 3 * ctx.settleMs));
    const cost = await w.stop();
    const rss = await statusMiB(r.tool.pid, 'VmRSS');
    const heapMiB = (await toolMetric(r.tool, 'nodejs_heap_size_used_bytes')) / 2 ** 20;
    const n = f.entries.length;
    return {
      peakRssMiB: cost.peakRssMiB,
      section: {
        id: 'unrelated',
        title: `Memory with ${m} unrelated Secrets and ${n} deployments`,
        note: `${m} unrelated Secrets (half Opaque with 2 KiB, half kubernetes.io/tls) in a watched namespace next to ${n} Ready deployments; the controller is started over both and read after every deployment was reconciled and the API server was quiet for ${ctx.settleMs / 1000} s (plus ${(3 * ctx.settleMs) / 1000} s). Peak is the kernel's VmHWM over the whole process life (start-up included).`,
        tables: [{ header: ['deployments', 'unrelated Secrets', 'peak RSS', 'RSS after settling', 'V8 heap used', 'worker processes', 'workers peak RSS sum', 'start → all reconciled', 'API reads'], rows: [[
          String(n), String(m), `${cost.peakRssMiB.toFixed(0)} MiB`, `${rss.toFixed(0)} MiB`, `${heapMiB.toFixed(0)} MiB`, String(cost.children.count), `${cost.children.peakRssSumMiB.toFixed(0)} MiB`, `${r.seconds.toFixed(1)} s`, String(r.apiReads),
        ]] }],
        data: { n, m, cost, rssMiB: rss, heapMiB, seconds: r.seconds, requests: r.requests },
      },
    };
  } finally {
    await r.tool.stop();
  }
}

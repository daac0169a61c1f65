/**
 * The controller alone at growing scale, each size in its own namespace, next to the floor
 * client doing the unavoidable calls for the same deployments with the same concurrency:
 * convergence to every file written and every deployment Ready, a rotation of all of them,
 * the cost per deployment (is it linear?), then a restart over the N Ready deployments
 * (connector calls, status writes, API reads, seconds).
 */
import { requestTotals, sumVerbs, type RequestCounts } from './apiserver-requests.ts';
import { phaseRequests, type BenchContext } from './context.ts';
import { allWithin } from './file-targets.ts';
import { createFixture, fingerprintOf, G, nextLeaves, putSecrets, type Fixture } from './fixtures.ts';
import { watchProcess, type ProcessCost } from './proc-stats.ts';
import { ReadyWatch } from './ready-watch.ts';
import { countsText, ratio, secs, type Section } from './report.ts';
import { runFloor, startController, toolMetric, whileRunning, type FloorResult, type Tool } from './tools.ts';

export interface ScaleResult {
  readonly n: number;
  readonly floor: FloorResult & { spawnToExitMs: number };
  readonly filesMs: number;
  readonly readyMs: number;
  readonly rotateFilesMs: number;
  readonly rotateReadyMs: number;
  readonly cost: ProcessCost;
  readonly requests: { converge: RequestCounts; rotateAll: RequestCounts };
  readonly connectorCalls: number;
  readonly restart?: RestartResult;
}

export interface RestartResult {
  readonly n: number;
  readonly seconds: number;
  readonly connectorCalls: number;
  readonly statusWrites: number;
  readonly apiReads: number;
  readonly secretGets: number;
  readonly requests: RequestCounts;
}

type Item = { metadata: { name: string; resourceVersion: string } };

/** Phase: every entry's file and Ready, from `t0`. */
async function converge(ctx: BenchContext, f: Fixture, ready: ReadyWatch, t0: number, what: string): Promise<{ filesMs: number; readyMs: number }> {
  const files = allWithin(ctx.files.expect(new Map(f.entries.map((e) => [e.cdCert, e.leaf.leafPem]))), 900_000, `${what} files`, () => ctx.files.pending);
  const readys = allWithin(ready.expect(new Map(f.entries.map((e) => [e.deployment, fingerprintOf(e.leaf.leafPem)]))), 900_000, `${what} Ready`, () => ready.pending);
  return { filesMs: Math.max(...(await files)) - t0, readyMs: Math.max(...(await readys)) - t0 };
}

async function listRvs(ctx: BenchContext, ns: string): Promise<Map<string, string>> {
  const items = ((await ctx.objects.listNamespacedCustomObject({ ...G, namespace: ns })) as { items: Item[] }).items;
  return new Map(items.map((d) => [d.metadata.name, d.metadata.resourceVersion]));
}

/** Restart over `f`'s Ready deployments: a fresh controller until every key was reconciled and the API server is quiet. */
export async function restartOver(ctx: BenchContext, f: Fixture, extraNamespaces: readonly string[] = []): Promise<RestartResult & { tool: Tool }> {
  const n = f.entries.length;
  const rvs = await listRvs(ctx, f.ns);
  const before = await requestTotals(ctx.auth);
  const t0 = performance.now();
  const tool = await startController(ctx, [f.ns, ...extraNamespaces]);
  const end = Date.now() + 600_000;
  while ((await toolMetric(tool, 'controller_runtime_reconcile_total')) < n) {
    if (Date.now() > end || tool.child.exitCode !== null) throw new Error(`restart: not all ${n} reconciled\n${tool.logs.join('').slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - t0) / 1000;
  const requests = await phaseRequests(ctx, before, {});
  const after = await listRvs(ctx, f.ns);
  return {
    tool, n, seconds,
    connectorCalls: await toolMetric(tool, 'cert_deployer_deploys_total'),
    statusWrites: [...after].filter(([k, v]) => rvs.get(k) !== v).length,
    apiReads: sumVerbs(requests, ['GET', 'LIST']),
    secretGets: requests['GET secrets'] ?? 0,
    requests,
  };
}

/** One size: floor, controller convergence, rotation of all, restart. */
async function oneSize(ctx: BenchContext, n: number, restart: boolean): Promise<ScaleResult & { fixture: Fixture }> {
  ctx.log(`scale ${n}: fixtures`);
  const ff = await createFixture(ctx.core, ctx.objects, `floor-${n}`, n, ctx.work);
  let floorWatch: Awaited<ReturnType<typeof watchProcess>> | undefined;
  const tf = performance.now();
  const floorRun = await runFloor(ctx.kubeconfig, ff.ns, ctx.concurrency, async (t) => { floorWatch = await watchProcess(t.pid); });
  const spawnToExitMs = performance.now() - tf;
  await floorWatch?.stop();
  const floor = { ...floorRun.result, spawnToExitMs };
  ctx.log(`scale ${n}: floor ${secs(spawnToExitMs)}`);

  const f = await createFixture(ctx.core, ctx.objects, `scale-${n}`, n, ctx.work);
  const ready = await ReadyWatch.start(ctx.kc, f.ns);
  let tool: Tool | undefined;
  try {
    let before = await requestTotals(ctx.auth);
    const t0 = performance.now();
    tool = await startController(ctx, [f.ns]);
    const w = await watchProcess(tool.pid);
    const first = await whileRunning([tool], converge(ctx, f, ready, t0, `scale ${n}`));
    const convergeReq = await phaseRequests(ctx, before, {});
    ctx.log(`scale ${n}: files ${secs(first.filesMs)}, Ready ${secs(first.readyMs)}`);
    await nextLeaves(f.entries);
    before = await requestTotals(ctx.auth);
    const t1 = performance.now();
    const rotated = converge(ctx, f, ready, t1, `scale ${n} rotation`);
    await putSecrets(ctx.core, f, f.entries);
    const rot = await whileRunning([tool], rotated);
    const rotateReq = await phaseRequests(ctx, before, { 'PUT secrets': n });
    const cost = await w.stop();
    const connectorCalls = await toolMetric(tool, 'cert_deployer_deploys_total');
    await tool.stop();
    tool = undefined;
    ready.close();
    let restartResult: RestartResult | undefined;
    if (restart) {
      const r = await restartOver(ctx, f);
      await r.tool.stop();
      const { tool: _t, ...rest } = r;
      restartResult = rest;
      ctx.log(`scale ${n}: restart ${r.seconds.toFixed(1)} s, ${r.apiReads} reads, ${r.connectorCalls} connector calls, ${r.statusWrites} status writes`);
    }
    return { fixture: f, n, floor, filesMs: first.filesMs, readyMs: first.readyMs, rotateFilesMs: rot.filesMs, rotateReadyMs: rot.readyMs, cost, requests: { converge: convergeReq, rotateAll: rotateReq }, connectorCalls, restart: restartResult };
  } finally {
    ready.close();
    await tool?.stop();
  }
}

/** All sizes; the largest size ≤ `restartAt` also gets the restart measurement. */
export async function scale(ctx: BenchContext, sizes: readonly number[], restartAt: number): Promise<{ section: Section; restart: Section; results: ScaleResult[]; fixtures: Map<number, Fixture> }> {
  const results: (ScaleResult & { fixture: Fixture })[] = [];
  const restartSize = Math.max(...sizes.filter((s) => s <= restartAt));
  for (const n of sizes) results.push(await oneSize(ctx, n, n === restartSize));
  const fixtures = new Map(results.map((r) => [r.n, r.fixture]));
  const clean: ScaleResult[] = results.map(({ fixture: _f, ...r }) => r);
  const base = clean[0]!;
  const rows = clean.map((r) => [
    String(r.n), secs(r.floor.spawnToExitMs), secs(r.filesMs), secs(r.readyMs), ratio(r.readyMs, r.floor.spawnToExitMs),
    `${(r.readyMs / r.n).toFixed(1)} ms`, ratio(r.readyMs / r.n, base.readyMs / base.n), secs(r.rotateReadyMs), `${(r.rotateReadyMs / r.n).toFixed(1)} ms`,
    `${r.cost.cpuSeconds.toFixed(1)} s`, `${r.cost.peakRssMiB.toFixed(0)} MiB`, String(sumVerbs(r.requests.converge, ['GET', 'LIST', 'POST', 'PUT', 'PATCH'])), String(r.connectorCalls),
  ]);
  const reqRows = clean.flatMap((r) => [[String(r.n), 'convergence', countsText(r.requests.converge)], [String(r.n), 'rotation of all', countsText(r.requests.rotateAll)]]);
  const section: Section = {
    id: 'scale',
    title: 'Convergence and rotation at scale, against the floor',
    note: [
      'Per size, a namespace of N Secrets and N CertificateDeployments exists before the controller starts; "Ready" is the',
      'moment the last deployment reports Ready=True on its certificate (watched), "files" the moment the last file holds it.',
      'The floor is a bare client (test/bench/harness/floor-client.ts) doing what a first deploy needs and nothing else — one',
      'LIST, then per deployment GET Secret, write the two files, PATCH status — with the same concurrency, spawn to exit, on',
      'its own namespace of the same size. Per-deployment cost relative to the smallest size shows whether the curve is linear',
      '(1.00× = linear). Rotation: all N Secrets updated (16 in flight) → all Ready on the new certificate.',
    ].join(' '),
    tables: [
      { header: ['N', 'floor', 'files', 'Ready', 'Ready / floor', 'Ready per deployment', 'vs smallest N', 'rotation of all → Ready', 'per deployment', 'CPU', 'peak RSS', 'API requests (convergence)', 'connector calls'], rows },
      { header: ['N', 'phase', 'API requests per verb and resource'], rows: reqRows },
    ],
    data: clean,
  };
  const rr = clean.find((r) => r.restart)?.restart;
  const restart: Section = {
    id: 'restart',
    title: rr ? `Restart over ${rr.n} Ready deployments` : 'Restart over Ready deployments',
    note: 'The controller is stopped (SIGTERM) after the scale run and started again over the same Ready deployments; it runs until every key was reconciled once (`controller_runtime_reconcile_total` ≥ N) and the API server is quiet. Status writes are deployments whose resourceVersion changed.',
    tables: rr ? [{ header: ['deployments', 'seconds', 'connector calls', 'status writes', 'API reads (GET + LIST)', 'Secret GETs', 'API requests per verb and resource'], rows: [[String(rr.n), rr.seconds.toFixed(1), String(rr.connectorCalls), String(rr.statusWrites), String(rr.apiReads), String(rr.secretGets), countsText(rr.requests)]] }] : [],
    data: rr ?? null,
  };
  return { section, restart, results: clean, fixtures };
}

/**
 * cert-deployer (file connector) next to cert-manager-sync (filepath store) on the same control
 * plane and the same kind of Secrets: each alone, then both at once, each mode in a fresh
 * namespace of N Secrets (each with its own chain). Per mode: convergence (tool start → every
 * file holds its certificate), a rotation of all N, single rotations (Secret update → file
 * changed), CPU seconds and peak RSS per process (workers apart), API requests per verb.
 */
import { requestTotals, type RequestCounts } from './apiserver-requests.ts';
import { addCounts, phaseRequests, type BenchContext } from './context.ts';
import { allWithin } from './file-targets.ts';
import { createFixture, deleteSecrets, nextLeaves, putSecrets, type Entry, type Fixture } from './fixtures.ts';
import { watchProcess, type ProcessCost } from './proc-stats.ts';
import { countsText, msText, percentile, ratio, secs, type Section } from './report.ts';
import { startController, startPeer, whileRunning, type Tool } from './tools.ts';

type Who = 'cd' | 'peer';
const NAMES: Record<Who, string> = { cd: 'cert-deployer', peer: 'cert-manager-sync' };

export interface ModeResult {
  readonly mode: string;
  readonly convergeMs: Partial<Record<Who, number>>;
  readonly rotateAllMs: Partial<Record<Who, number>>;
  readonly singleMs: Partial<Record<Who, number[]>>;
  readonly cost: Partial<Record<Who, ProcessCost>>;
  readonly requests: { converge: RequestCounts; rotateAll: RequestCounts; single: RequestCounts };
}

const fileOf = (who: Who, e: Entry): string => (who === 'cd' ? e.cdCert : e.peerCert);

async function waitFiles(ctx: BenchContext, who: readonly Who[], entries: readonly Entry[], t0: number, what: string, timeoutMs: number): Promise<Partial<Record<Who, number>>> {
  const out: Partial<Record<Who, number>> = {};
  await Promise.all(who.map(async (w) => {
    const times = await allWithin(ctx.files.expect(new Map(entries.map((e) => [fileOf(w, e), e.leaf.leafPem]))), timeoutMs, `${NAMES[w]} ${what}`, () => ctx.files.pending);
    out[w] = Math.max(...times) - t0;
  }));
  return out;
}

async function runMode(ctx: BenchContext, mode: string, who: readonly Who[], n: number, samples: number): Promise<ModeResult> {
  const f: Fixture = await createFixture(ctx.core, ctx.objects, `peer-${mode}`, n, ctx.work);
  const tools: Partial<Record<Who, Tool>> = {};
  const watchers: Partial<Record<Who, Awaited<ReturnType<typeof watchProcess>>>> = {};
  try {
    let before = await requestTotals(ctx.auth);
    const t0 = performance.now();
    for (const w of who) {
      tools[w] = w === 'cd' ? await startController(ctx, [f.ns]) : await startPeer(ctx.peerBinary!, ctx.kubeconfig, [f.ns]);
      watchers[w] = await watchProcess(tools[w].pid);
    }
    const running = who.map((w) => tools[w]);
    const convergeMs = await whileRunning(running, waitFiles(ctx, who, f.entries, t0, 'convergence', 600_000));
    const converge = await phaseRequests(ctx, before, {});
    ctx.log(`  ${mode}: converged ${Object.entries(convergeMs).map(([k, v]) => `${k} ${secs(v)}`).join(', ')}`);

    await nextLeaves(f.entries);
    before = await requestTotals(ctx.auth);
    const t1 = performance.now();
    const rotated = waitFiles(ctx, who, f.entries, t1, 'rotation of all', 600_000);
    await putSecrets(ctx.core, f, f.entries);
    const rotateAllMs = await whileRunning(running, rotated);
    const rotateAll = await phaseRequests(ctx, before, { 'PUT secrets': n });

    const singleMs: Partial<Record<Who, number[]>> = Object.fromEntries(who.map((w) => [w, [] as number[]]));
    before = await requestTotals(ctx.auth);
    for (let k = 0; k < samples; k++) {
      const e = f.entries[k % n]!;
      await nextLeaves([e]);
      const t = performance.now();
      const done = waitFiles(ctx, who, [e], t, 'single rotation', 120_000);
      await putSecrets(ctx.core, f, [e]);
      for (const [w, ms] of Object.entries(await whileRunning(running, done))) singleMs[w as Who]!.push(ms);
      // Isolated rotations: the peer's client-go rate limiter (5 QPS, burst 10) refills between
      // samples, as it would between two real renewals; back-to-back samples measure its queue.
      await new Promise((r) => setTimeout(r, ctx.sampleGapMs));
    }
    const single = await phaseRequests(ctx, before, { 'PUT secrets': samples });
    const cost: Partial<Record<Who, ProcessCost>> = {};
    for (const w of who) cost[w] = await watchers[w]!.stop();
    return { mode, convergeMs, rotateAllMs, singleMs, cost, requests: { converge, rotateAll, single } };
  } finally {
    for (const w of who) await tools[w]?.stop();
    await deleteSecrets(ctx.core, f);
  }
}

/** Runs the three modes and builds the section (tables with ratios cert-deployer / peer). */
export async function peerComparison(ctx: BenchContext, n: number, samples: number): Promise<Section> {
  const modes: ModeResult[] = [];
  for (const [mode, who] of [['cd-alone', ['cd']], ['peer-alone', ['peer']], ['both', ['cd', 'peer']]] as const) {
    ctx.log(`peer comparison: ${mode} (${n} Secrets)`);
    modes.push(await runMode(ctx, mode, who, n, samples));
  }
  const [cdA, peerA, both] = modes as [ModeResult, ModeResult, ModeResult];
  const q = (xs: number[] | undefined, p: number): number => percentile(xs ?? [], p);
  const row = (label: string, a: number, b: number, fmt: (x: number) => string, bothA?: number, bothB?: number): string[] =>
    [label, fmt(a), fmt(b), ratio(a, b), bothA === undefined ? '' : fmt(bothA), bothB === undefined ? '' : fmt(bothB)];
  const cdCost = cdA.cost.cd!;
  const peerCost = peerA.cost.peer!;
  const mib = (x: number): string => `${x.toFixed(0)} MiB`;
  const cpu = (x: number): string => `${x.toFixed(2)} s`;
  const rows = [
    row(`convergence, ${n} targets`, cdA.convergeMs.cd!, peerA.convergeMs.peer!, secs, both.convergeMs.cd, both.convergeMs.peer),
    row(`rotation of all ${n}`, cdA.rotateAllMs.cd!, peerA.rotateAllMs.peer!, secs, both.rotateAllMs.cd, both.rotateAllMs.peer),
    ...([0.5, 0.95, 0.99] as const).map((p) => row(`single rotation p${p * 100} (${samples} samples)`, q(cdA.singleMs.cd, p), q(peerA.singleMs.peer, p), msText, q(both.singleMs.cd, p), q(both.singleMs.peer, p))),
    row('CPU seconds (whole mode)', cdCost.cpuSeconds, peerCost.cpuSeconds, cpu, both.cost.cd?.cpuSeconds, both.cost.peer?.cpuSeconds),
    row('peak RSS', cdCost.peakRssMiB, peerCost.peakRssMiB, mib, both.cost.cd?.peakRssMiB, both.cost.peer?.peakRssMiB),
    row('worker processes: count / peak RSS sum', cdCost.children.count, peerCost.children.count, (x) => String(x)),
  ];
  if (cdCost.children.count > 0) rows.push([`cert-deployer workers: peak RSS sum ${mib(cdCost.children.peakRssSumMiB)}, CPU ${cpu(cdCost.children.cpuSeconds)}`, '', '', '', '', '']);
  const reqRows = modes.flatMap((m) => (['converge', 'rotateAll', 'single'] as const).map((ph) => [m.mode, ph, String(Object.values(m.requests[ph]).reduce((a, b) => a + b, 0)), countsText(m.requests[ph])]));
  return {
    id: 'peer',
    title: `Side by side with cert-manager-sync (${n} Secrets)`,
    note: [
      `Each mode has its own namespace of ${n} \`kubernetes.io/tls\` Secrets (each with its own chain), opted in to the peer's`,
      'filepath store and each referenced by one CertificateDeployment (file connector). Times run from the tool\'s start',
      '(convergence) or the first Secret update (rotations) to the moment the harness sees the new certificate in the file',
      `(inotify). Single rotations are one Secret at a time, ${ctx.sampleGapMs / 1000} s apart, after the rotation of all has settled;`,
      'cert-manager-sync throttles itself with client-go\'s default client-side rate limit (5 QPS, burst 10):',
      'every sync PATCHes the Secret\'s hash annotation. Ratio = cert-deployer / cert-manager-sync, each alone.',
      'CPU and peak RSS (VmHWM) cover the whole mode (convergence, rotation of all, single rotations);',
      'worker processes (children of the controller) are reported apart.',
    ].join(' '),
    tables: [
      { header: ['measure', 'cert-deployer alone', 'cert-manager-sync alone', 'ratio', 'cert-deployer (both)', 'cert-manager-sync (both)'], rows },
      { header: ['mode', 'phase', 'API requests', 'per verb and resource'], rows: reqRows },
    ],
    data: { n, samples, modes, requestTotals: Object.fromEntries(modes.map((m) => [m.mode, addCounts(m.requests.converge, m.requests.rotateAll, m.requests.single)])) },
  };
}

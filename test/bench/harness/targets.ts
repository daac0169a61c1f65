/**
 * The lean-runtime targets of issue 13, checked against the numbers of the same run: each row
 * says the limit, what was measured (raw numbers) and whether it was met. Pure: it reads the
 * other sections' data.
 */
import type { ModeResult } from './peer-comparison.ts';
import { percentile, type Section } from './report.ts';
import type { RestartResult, ScaleResult } from './scale.ts';

const find = <T>(sections: readonly Section[], id: string): T | undefined => (sections.find((s) => s.id === id && s.skipped === undefined)?.data ?? undefined) as T | undefined;
const yes = (ok: boolean): string => (ok ? 'met' : 'NOT met');

export function targets(sections: readonly Section[]): Section {
  const rows: string[][] = [];
  const peer = find<{ n: number; modes: ModeResult[] }>(sections, 'peer');
  if (peer) {
    const cd = peer.modes.find((m) => m.mode === 'cd-alone')!;
    const p = peer.modes.find((m) => m.mode === 'peer-alone')!;
    const cdRss = cd.cost.cd!.peakRssMiB + cd.cost.cd!.children.peakRssSumMiB;
    const pRss = p.cost.peer!.peakRssMiB;
    rows.push([`peak RSS ≤ 2× peer (${peer.n} deployments)`, `${cdRss.toFixed(0)} MiB (controller ${cd.cost.cd!.peakRssMiB.toFixed(0)} + workers ${cd.cost.cd!.children.peakRssSumMiB.toFixed(0)}) vs ${pRss.toFixed(0)} MiB = ${(cdRss / pRss).toFixed(2)}×`, `${(2 * pRss).toFixed(0)} MiB`, yes(cdRss <= 2 * pRss)]);
    const cdCpu = cd.cost.cd!.cpuSeconds + cd.cost.cd!.children.cpuSeconds;
    const pCpu = p.cost.peer!.cpuSeconds;
    rows.push(['CPU seconds ≤ 2× peer (same work)', `${cdCpu.toFixed(2)} s vs ${pCpu.toFixed(2)} s = ${(cdCpu / pCpu).toFixed(2)}×`, `${(2 * pCpu).toFixed(2)} s`, yes(cdCpu <= 2 * pCpu)]);
    const a = percentile(cd.singleMs.cd ?? [], 0.5);
    const b = percentile(p.singleMs.peer ?? [], 0.5);
    rows.push(['single rotation p50 ≤ peer + 5 ms', `${a.toFixed(1)} ms vs ${b.toFixed(1)} ms (+${(a - b).toFixed(1)} ms)`, `${(b + 5).toFixed(1)} ms`, yes(a <= b + 5)]);
  }
  const unrelated = find<{ n: number; m: number; cost: { peakRssMiB: number; children: { peakRssSumMiB: number } } }>(sections, 'unrelated');
  if (unrelated) {
    const rss = unrelated.cost.peakRssMiB + unrelated.cost.children.peakRssSumMiB;
    rows.push([`peak RSS ≤ 150 MiB (${unrelated.n} deployments + ${unrelated.m} unrelated Secrets)`, `${rss.toFixed(0)} MiB (controller ${unrelated.cost.peakRssMiB.toFixed(0)} + workers ${unrelated.cost.children.peakRssSumMiB.toFixed(0)})`, '150 MiB', yes(rss <= 150)]);
  }
  const restart = find<RestartResult>(sections, 'restart');
  if (restart) {
    rows.push([`restart over ${restart.n} Ready: ≤ 1 API read per deployment`, `${restart.apiReads} reads (${restart.secretGets} Secret GETs) = ${(restart.apiReads / restart.n).toFixed(3)} per deployment`, String(restart.n), yes(restart.apiReads <= restart.n)]);
    rows.push([`restart over ${restart.n} Ready: 0 connector calls, 0 status writes`, `${restart.connectorCalls} connector calls, ${restart.statusWrites} status writes`, '0, 0', yes(restart.connectorCalls === 0 && restart.statusWrites === 0)]);
  }
  const scale = find<ScaleResult[]>(sections, 'scale');
  for (const r of scale?.filter((x) => x.n === Math.max(...scale.filter((y) => y.n <= 1000).map((y) => y.n))) ?? []) {
    rows.push([`${r.n} deployments Ready ≤ 2× floor`, `${(r.readyMs / 1000).toFixed(1)} s vs ${(r.floor.spawnToExitMs / 1000).toFixed(1)} s = ${(r.readyMs / r.floor.spawnToExitMs).toFixed(2)}×`, `${((2 * r.floor.spawnToExitMs) / 1000).toFixed(1)} s`, yes(r.readyMs <= 2 * r.floor.spawnToExitMs)]);
  }
  return {
    id: 'targets',
    title: 'Lean-runtime targets (issue 13)',
    note: 'Each target checked against the numbers above, from the same run. RSS and CPU of the controller include its worker processes when there are any. What bounds a target that is not met is in the profile notes below the table.',
    tables: [{ header: ['target', 'measured', 'limit', 'result'], rows }],
    data: rows.map(([target, measured, limit, result]) => ({ target, measured, limit, met: result === 'met' })),
  };
}

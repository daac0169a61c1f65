/**
 * What a process costs, read from /proc (Linux): CPU seconds and peak RSS of the process itself,
 * and of its descendants apart (permission-model worker processes, exec'd reload commands), so a
 * tool that moves work into children is charged for it and the report can say where it went.
 */
import { readFile, readdir } from 'node:fs/promises';

/** Kernel clock ticks per second for utime/stime; 100 on every Linux this runs on. */
const CLK_TCK = 100;

/** CPU seconds (user + system) of `pid` itself, plus its reaped children's; 0 once it is gone. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  if (stat === '') return 0;
  // Fields after the command name (which may hold spaces) start at field 3 (state).
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [utime, stime, cutime, cstime] = [f[11], f[12], f[13], f[14]].map(Number);
  return ((utime ?? 0) + (stime ?? 0) + (cutime ?? 0) + (cstime ?? 0)) / CLK_TCK;
}

/** A `/proc/<pid>/status` field in MiB (VmRSS now, VmHWM the peak so far); 0 once it is gone. */
export async function statusMiB(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(text);
  return m ? Number(m[1]) / 1024 : 0;
}

/** Every live descendant of `pid` (children of children too). */
export async function descendants(pid: number): Promise<number[]> {
  const out: number[] = [];
  const walk = async (p: number): Promise<void> => {
    const tasks = await readdir(`/proc/${p}/task`).catch(() => [] as string[]);
    for (const t of tasks) {
      const kids = (await readFile(`/proc/${p}/task/${t}/children`, 'utf8').catch(() => '')).trim();
      for (const k of kids.split(/\s+/).filter(Boolean).map(Number)) {
        out.push(k);
        await walk(k);
      }
    }
  };
  await walk(pid);
  return out;
}

/** Peak RSS and CPU seconds of one process and, apart, of the descendants it started. */
export interface ProcessCost {
  readonly cpuSeconds: number;
  readonly peakRssMiB: number;
  /** Descendants seen by the sampler (long-lived ones such as worker processes). */
  readonly children: { readonly count: number; readonly peakRssMiB: number; readonly peakRssSumMiB: number; readonly cpuSeconds: number };
}

/**
 * Follows one process from now on: `stop()` returns its CPU since the watch began and its peak
 * RSS (the kernel's VmHWM, exact), and for descendants the largest single peak, the largest sum
 * of concurrent RSS (sampled every `everyMs`) and their CPU (last sample of each).
 */
export async function watchProcess(pid: number, everyMs = 250): Promise<{ stop(): Promise<ProcessCost> }> {
  const cpu0 = await cpuSeconds(pid);
  const kids = new Map<number, { hwm: number; cpu: number }>();
  let peakSum = 0;
  let lastAlive: number[] = [];
  const sample = async (): Promise<void> => {
    let sum = 0;
    lastAlive = await descendants(pid);
    for (const k of lastAlive) {
      const [hwm, rss, cpu] = await Promise.all([statusMiB(k, 'VmHWM'), statusMiB(k, 'VmRSS'), cpuSeconds(k)]);
      const seen = kids.get(k) ?? { hwm: 0, cpu: 0 };
      kids.set(k, { hwm: Math.max(seen.hwm, hwm), cpu: Math.max(seen.cpu, cpu) });
      sum += rss;
    }
    peakSum = Math.max(peakSum, sum);
  };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await sample();
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      await sample();
      stopped = true;
      await loop;
      const peakRssMiB = await statusMiB(pid, 'VmHWM');
      const values = [...kids.values()];
      // The parent's cutime/cstime already hold the CPU of children it reaped (short exec'd
      // commands); only children still alive at the end (worker processes) are added here.
      const childCpu = lastAlive.reduce((n, k) => n + (kids.get(k)?.cpu ?? 0), 0);
      return {
        cpuSeconds: round((await cpuSeconds(pid)) - cpu0, 2),
        peakRssMiB: round(peakRssMiB, 1),
        children: { count: values.length, peakRssMiB: round(Math.max(0, ...values.map((k) => k.hwm)), 1), peakRssSumMiB: round(peakSum, 1), cpuSeconds: round(childCpu, 2) },
      };
    },
  };
}

/** Rounds to `digits` decimals (reports carry no false precision). */
export const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

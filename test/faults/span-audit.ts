/**
 * The overlap audit of the fault suite: from the deploy spans every controller process wrote
 * (`--deploy-span-file`, one JSON line per start/end), the intervals during which each target
 * was being deployed, and every pair of intervals on the same target that overlap. A start
 * without an end (the process was SIGKILLed mid-deploy) lasts until that process died, as the
 * harness recorded it: a killed leader's unfinished deploy still counts against its successor.
 * Pure: the caller reads the files and passes the lines.
 */

export interface SpanLine {
  readonly phase: 'start' | 'end';
  readonly deployment: string;
  readonly target: string;
  readonly connector: string;
  readonly fingerprint: string;
  readonly at: number;
  readonly outcome?: string;
  readonly changed?: boolean;
  readonly identity: string;
  readonly pid: number;
}

export interface DeployInterval {
  /** `namespace/name/target`. */
  readonly key: string;
  readonly pid: number;
  readonly identity: string;
  readonly start: number;
  readonly end: number;
  /** The process died before the end was written. */
  readonly open: boolean;
  readonly outcome?: string;
  readonly changed?: boolean;
  readonly connector: string;
}

export interface Overlap {
  readonly key: string;
  readonly first: DeployInterval;
  readonly second: DeployInterval;
}

/** Parses span files' text; lines that are not spans (a torn last line after SIGKILL) are skipped. */
export function parseSpans(text: string): SpanLine[] {
  const out: SpanLine[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const v = JSON.parse(line) as SpanLine;
      if ((v.phase === 'start' || v.phase === 'end') && typeof v.at === 'number' && typeof v.pid === 'number') out.push(v);
    } catch {
      // torn write: the process died mid-line
    }
  }
  return out;
}

/**
 * Pairs starts and ends per process and target, in time order. `deaths` maps a pid to when it
 * was killed; an open span of a pid not in it (still running) ends at `now`.
 */
export function intervalsOf(spans: readonly SpanLine[], deaths: ReadonlyMap<number, number>, now: number): DeployInterval[] {
  const open = new Map<string, SpanLine>();
  const out: DeployInterval[] = [];
  const keyOf = (s: SpanLine) => `${s.deployment}/${s.target}`;
  for (const s of [...spans].sort((a, b) => a.at - b.at || (a.phase === 'end' ? -1 : 1))) {
    const slot = `${s.pid}|${keyOf(s)}`;
    if (s.phase === 'start') {
      open.set(slot, s);
      continue;
    }
    const start = open.get(slot);
    if (start === undefined) continue;
    open.delete(slot);
    out.push({ key: keyOf(s), pid: s.pid, identity: s.identity, start: start.at, end: s.at, open: false, connector: s.connector, ...(s.outcome !== undefined ? { outcome: s.outcome } : {}), ...(s.changed !== undefined ? { changed: s.changed } : {}) });
  }
  for (const s of open.values()) out.push({ key: keyOf(s), pid: s.pid, identity: s.identity, start: s.at, end: deaths.get(s.pid) ?? now, open: true, connector: s.connector });
  return out.sort((a, b) => a.start - b.start);
}

/** Every pair of intervals on one target where the second starts before the first ended. */
export function overlapsOf(intervals: readonly DeployInterval[]): Overlap[] {
  const byKey = new Map<string, DeployInterval[]>();
  for (const i of intervals) byKey.set(i.key, [...(byKey.get(i.key) ?? []), i]);
  const out: Overlap[] = [];
  for (const [key, list] of byKey) {
    const sorted = [...list].sort((a, b) => a.start - b.start);
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length && sorted[j]!.start < sorted[i]!.end; j++) out.push({ key, first: sorted[i]!, second: sorted[j]! });
    }
  }
  return out;
}

/** The fault suite's overlap audit on hand-written spans: it finds what it must, and only that. */
import { describe, expect, it } from 'vitest';
import { intervalsOf, overlapsOf, parseSpans, type SpanLine } from '../../faults/span-audit.ts';

const span = (phase: 'start' | 'end', at: number, pid: number, target = 't', extra: Partial<SpanLine> = {}): SpanLine =>
  ({ phase, deployment: 'ns/d', target, connector: 'file', fingerprint: 'abc', at, identity: `r${pid}`, pid, ...extra });

describe('span audit', () => {
  it('back-to-back deploys by two replicas do not overlap; touching ends are fine', () => {
    const iv = intervalsOf([span('start', 0, 1), span('end', 10, 1), span('start', 10, 2), span('end', 20, 2)], new Map(), 100);
    expect(iv.map((i) => [i.pid, i.start, i.end, i.open])).toEqual([[1, 0, 10, false], [2, 10, 20, false]]);
    expect(overlapsOf(iv)).toEqual([]);
  });

  it('a deploy started by the standby while the leader still deploys the same target is an overlap', () => {
    const o = overlapsOf(intervalsOf([span('start', 0, 1), span('start', 5, 2), span('end', 8, 2), span('end', 10, 1)], new Map(), 100));
    expect(o.map((x) => [x.key, x.first.pid, x.second.pid])).toEqual([['ns/d/t', 1, 2]]);
  });

  it('a killed process\'s unfinished deploy lasts until it died: a successor starting later is fine, earlier is not', () => {
    const killed = [span('start', 0, 1)];
    expect(overlapsOf(intervalsOf([...killed, span('start', 50, 2), span('end', 60, 2)], new Map([[1, 40]]), 100))).toEqual([]);
    const o = overlapsOf(intervalsOf([...killed, span('start', 30, 2), span('end', 60, 2)], new Map([[1, 40]]), 100));
    expect(o).toHaveLength(1);
    expect(o[0]!.first.open).toBe(true);
  });

  it('different targets never overlap each other; a torn last line is skipped', () => {
    const text = [span('start', 0, 1, 'a'), span('start', 1, 2, 'b'), span('end', 5, 1, 'a'), span('end', 6, 2, 'b')].map((s) => JSON.stringify(s)).join('\n') + '\n{"phase":"sta';
    const spans = parseSpans(text);
    expect(spans).toHaveLength(4);
    expect(overlapsOf(intervalsOf(spans, new Map(), 10))).toEqual([]);
  });
});

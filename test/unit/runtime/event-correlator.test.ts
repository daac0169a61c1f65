import { describe, expect, it } from 'vitest';
import { EventCorrelator, type EventDecision, type EventOccurrence } from '../../../src/controller/runtime/event-correlator.ts';
import { truncateUtf8 } from '../../../src/controller/runtime/event-recorder.ts';
import { FakeClock } from '../../../src/core/fake-clock.ts';

const occ = (over: Partial<EventOccurrence> = {}): EventOccurrence => ({
  regarding: { apiVersion: 'certdeployer.io/v1alpha1', kind: 'CertificateDeployment', namespace: 'ns', name: 'web', uid: 'u1' },
  type: 'Warning', reason: 'DeployFailed', action: 'Deploy', note: 'connection refused', ...over,
});

/** Simulates the recorder: performs the write and reports it, following up as told. */
function write(c: EventCorrelator, d: EventDecision, name = 'web.1'): EventDecision[] {
  const log: EventDecision[] = [d];
  let next: EventDecision | undefined = d;
  while (next && (next.kind === 'create' || next.kind === 'patch')) {
    next = c.completed(next.series, { ok: true, name, count: next.count });
    if (next) log.push(next);
  }
  return log;
}

const summary = (d: EventDecision): string => (d.kind === 'create' || d.kind === 'patch' ? `${d.kind}:${d.count}` : d.kind);

describe('EventCorrelator', () => {
  it('creates the first occurrence, then patches series.count for repeats', () => {
    const clock = new FakeClock();
    const c = new EventCorrelator(clock);
    expect(write(c, c.observe(occ())).map(summary)).toEqual(['create:1']);
    expect(write(c, c.observe(occ())).map(summary)).toEqual(['patch:2']);
    expect(write(c, c.observe(occ())).map(summary)).toEqual(['patch:3']);
  });

  it('patches the Event the server named', () => {
    const c = new EventCorrelator(new FakeClock());
    write(c, c.observe(occ()), 'web.abc');
    const d = c.observe(occ());
    expect(d.kind).toBe('patch');
    expect(d.series.name).toBe('web.abc');
  });

  it('starts a new Event when the series has been quiet for more than the window', async () => {
    const clock = new FakeClock();
    const c = new EventCorrelator(clock);
    write(c, c.observe(occ()));
    await clock.advance(9 * 60_000);
    expect(summary(c.observe(occ()))).toBe('patch:2'); // within 10 min of the last occurrence
    await clock.advance(10 * 60_000 + 1);
    expect(summary(c.observe(occ()))).toBe('create:1');
  });

  it('keeps different notes, reasons and objects in separate series', () => {
    const c = new EventCorrelator(new FakeClock());
    write(c, c.observe(occ()));
    expect(summary(c.observe(occ({ note: 'timeout' })))).toBe('create:1');
    expect(summary(c.observe(occ({ reason: 'Deployed', type: 'Normal' })))).toBe('create:1');
    expect(summary(c.observe(occ({ regarding: { kind: 'CertificateDeployment', namespace: 'ns', name: 'api' } })))).toBe('create:1');
    expect(c.size()).toBe(4);
  });

  it('coalesces occurrences during an in-flight write into one follow-up patch with the total', () => {
    const c = new EventCorrelator(new FakeClock());
    const create = c.observe(occ());
    expect(summary(create)).toBe('create:1');
    expect(summary(c.observe(occ()))).toBe('coalesced');
    expect(summary(c.observe(occ()))).toBe('coalesced');
    const follow = c.completed(create.series, { ok: true, name: 'web.1', count: 1 });
    expect(follow && summary(follow)).toBe('patch:3');
    expect(c.completed(follow!.series, { ok: true, name: 'web.1', count: 3 })).toBeUndefined();
  });

  it('rate-limits a hot loop per object but keeps counting; the next permitted patch carries the total', async () => {
    const clock = new FakeClock();
    const c = new EventCorrelator(clock, { burst: 3, qps: 1 / 60 });
    const kinds = Array.from({ length: 10 }, () => write(c, c.observe(occ())).map(summary).join(','));
    expect(kinds).toEqual(['create:1', 'patch:2', 'patch:3', ...Array(7).fill('rate-limited')]);
    // A different object is not starved by the noisy one.
    expect(summary(c.observe(occ({ regarding: { kind: 'CertificateDeployment', namespace: 'ns', name: 'quiet' } })))).toBe('create:1');
    await clock.advance(60_000);
    expect(write(c, c.observe(occ())).map(summary)).toEqual(['patch:11']);
  });

  it('retries a failed create on the next occurrence, carrying the count', () => {
    const c = new EventCorrelator(new FakeClock());
    const d = c.observe(occ());
    expect(c.completed(d.series, { ok: false })).toBeUndefined();
    expect(summary(c.observe(occ()))).toBe('create:2');
  });

  it('forgets the least recently used series beyond maxEntries', () => {
    const c = new EventCorrelator(new FakeClock(), { maxEntries: 2 });
    for (const note of ['a', 'b', 'c']) write(c, c.observe(occ({ note })));
    expect(c.size()).toBe(2);
    expect(summary(c.observe(occ({ note: 'a' })))).toBe('create:1');
  });
});

describe('truncateUtf8', () => {
  it('leaves short notes alone', () => {
    expect(truncateUtf8('hello', 1024)).toBe('hello');
  });

  it('cuts to the byte limit without splitting a multi-byte character', () => {
    const note = 'é'.repeat(600); // 1200 bytes
    const out = truncateUtf8(note, 1024);
    expect(Buffer.byteLength(out, 'utf8')).toBeLessThanOrEqual(1024);
    expect(out.endsWith('...')).toBe(true);
    expect(out.includes('\uFFFD')).toBe(false);
    expect(out.slice(0, -3)).toBe('é'.repeat(510));
  });
});

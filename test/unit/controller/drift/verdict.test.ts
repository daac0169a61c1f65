/**
 * The drift verdict as a table: endpoint observations × what the target says it holds → one
 * verdict from the fixed vocabulary, what was seen instead, and per-endpoint verdicts.
 */
import { describe, expect, it } from 'vitest';
import { DriftVerdict } from '../../../../src/crds/drift-status.ts';
import { judgeDrift, type DriftInput, type EndpointObservation, type HeldObservation } from '../../../../src/controller/drift/verdict.ts';

const A = 'a'.repeat(64); // deployed
const B = 'b'.repeat(64); // someone else's
const NA = '2027-01-01T00:00:00Z';
const serves = (fp: string, address = '10.0.0.1:443'): EndpointObservation => ({ address, kind: 'served', fingerprint: fp, notAfter: NA });
const down = (address = '10.0.0.1:443'): EndpointObservation => ({ address, kind: 'unreachable', message: 'connect ECONNREFUSED' });
const holds = (fp: string | null, expectedInstalled?: boolean): HeldObservation => ({ kind: 'held', active: fp ? { fingerprint: fp, notAfter: NA } : null, ...(expectedInstalled !== undefined ? { expectedInstalled } : {}) });
const failed: HeldObservation = { kind: 'failed', message: 'denied: net.dial' };

const cases: [string, Omit<DriftInput, 'expected'>, DriftVerdict | undefined, string | undefined, (DriftVerdict | undefined)[]][] = [
  // name, input, verdict, observed fingerprint, endpoint verdicts
  ['nothing observable', { endpoints: [] }, undefined, undefined, []],
  ['endpoint serves the deployed certificate', { endpoints: [serves(A)] }, DriftVerdict.Serving, undefined, [DriftVerdict.Serving]],
  ['endpoint serves another', { endpoints: [serves(B)] }, DriftVerdict.Diverged, B, [DriftVerdict.Diverged]],
  ['endpoint unreachable', { endpoints: [down()] }, DriftVerdict.Unknown, undefined, [DriftVerdict.Unknown]],
  ['one serving, one unreachable: no verdict', { endpoints: [serves(A), down('10.0.0.2:443')] }, DriftVerdict.Unknown, undefined, [DriftVerdict.Serving, DriftVerdict.Unknown]],
  ['one diverged, one unreachable: Diverged (a definite answer wins)', { endpoints: [serves(B), down('10.0.0.2:443')] }, DriftVerdict.Diverged, B, [DriftVerdict.Diverged, DriftVerdict.Unknown]],
  ['target holds it, endpoint serves it', { endpoints: [serves(A)], held: holds(A) }, DriftVerdict.Serving, undefined, [DriftVerdict.Serving]],
  ['target holds it, no endpoints', { endpoints: [], held: holds(A) }, DriftVerdict.Serving, undefined, []],
  ['target holds another (files replaced), endpoint too', { endpoints: [serves(B)], held: holds(B) }, DriftVerdict.Diverged, B, [DriftVerdict.Diverged]],
  ['target holds another, no endpoints (ACM re-import)', { endpoints: [], held: holds(B) }, DriftVerdict.Diverged, B, []],
  ['target holds it, endpoint serves another (not reloaded)', { endpoints: [serves(B)], held: holds(A) }, DriftVerdict.InstalledNotBound, B, [DriftVerdict.InstalledNotBound]],
  ['target uses another but has ours installed (F5 profile)', { endpoints: [], held: holds(B, true) }, DriftVerdict.InstalledNotBound, undefined, []],
  ['target holds nothing', { endpoints: [], held: holds(null) }, DriftVerdict.Absent, undefined, []],
  ['target holds nothing but ours is installed', { endpoints: [], held: holds(null, true) }, DriftVerdict.InstalledNotBound, undefined, []],
  ['target holds nothing, endpoint still serves ours from memory', { endpoints: [serves(A)], held: holds(null) }, DriftVerdict.Absent, undefined, [DriftVerdict.Serving]],
  ['server stopped, files intact: Unknown, not Serving', { endpoints: [down()], held: holds(A) }, DriftVerdict.Unknown, undefined, [DriftVerdict.Unknown]],
  ['inspect failed, endpoint serving', { endpoints: [serves(A)], held: failed }, DriftVerdict.Unknown, undefined, [DriftVerdict.Serving]],
  ['inspect failed, endpoint serves another', { endpoints: [serves(B)], held: failed }, DriftVerdict.Diverged, B, [DriftVerdict.Diverged]],
  ['files replaced, server stopped: the target says Diverged', { endpoints: [down()], held: holds(B) }, DriftVerdict.Diverged, B, [DriftVerdict.Unknown]],
];

describe('judgeDrift', () => {
  it.each(cases)('%s', (_name, input, verdict, observed, endpointVerdicts) => {
    const j = judgeDrift({ expected: A, ...input });
    expect(j?.verdict).toBe(verdict);
    expect(j?.observed?.fingerprint).toBe(observed);
    if (j) expect(j.endpoints.map((e) => e.verdict)).toEqual(endpointVerdicts);
  });

  it('names the other fingerprint and its notAfter for Diverged', () => {
    const j = judgeDrift({ expected: A, endpoints: [serves(B)] })!;
    expect(j.observed).toEqual({ fingerprint: B, notAfter: NA });
    expect(j.message).toBe(`10.0.0.1:443 serves bbbbbbbbbbbb… (notAfter ${NA}), not the deployed aaaaaaaaaaaa…`);
  });

  it('says why there is no verdict', () => {
    expect(judgeDrift({ expected: A, endpoints: [down()], held: failed })!.message).toBe('no verdict: 10.0.0.1:443: connect ECONNREFUSED; inspect: denied: net.dial');
  });
});

import { describe, expect, it } from 'vitest';
import { Reason } from '../../../src/controller/reasons.ts';
import { summarizeReady } from '../../../src/controller/summarize.ts';
import type { TargetOutcome } from '../../../src/controller/pipeline/target-outcome.ts';
import { nextTargetStatus } from '../../../src/controller/target-status.ts';
import { grantShortfall } from '../../../src/controller/grant-shortfall.ts';

const FP = 'a'.repeat(64);
const OLD = 'b'.repeat(64);
const okOutcome: TargetOutcome = { ok: true, reason: Reason.Deployed, message: 'wrote 2 files', retryable: false, invoked: true, changed: true, verified: true };
const failOutcome: TargetOutcome = { ok: false, reason: Reason.TargetUnavailable, message: 'connection refused', retryable: true, invoked: true, changed: false, verified: false };

describe('nextTargetStatus', () => {
  it('records a success with the fingerprint, times and reset attempts', () => {
    const s = nextTargetStatus({ name: 'a', previous: undefined, outcome: okOutcome, fingerprint: FP, lastSeenFingerprint: undefined, generation: 2, specHash: 'h', now: '2026-11-24T00:00:00.000Z' });
    expect(s).toMatchObject({ name: 'a', ready: true, fingerprint: FP, observedGeneration: 2, attempts: 0, deployedAt: '2026-11-24T00:00:00.000Z', verifiedAt: '2026-11-24T00:00:00.000Z' });
  });
  it('keeps the last good fingerprint on failure and counts attempts for the same certificate', () => {
    const prev = { name: 'a', ready: true, fingerprint: OLD, observedGeneration: 2, specHash: 'h', attempts: 0 };
    const first = nextTargetStatus({ name: 'a', previous: prev, outcome: failOutcome, fingerprint: FP, lastSeenFingerprint: OLD, generation: 2, specHash: 'h', now: 'x' });
    expect(first).toMatchObject({ ready: false, fingerprint: OLD, attempts: 1, reason: Reason.TargetUnavailable });
    const second = nextTargetStatus({ name: 'a', previous: first, outcome: failOutcome, fingerprint: FP, lastSeenFingerprint: FP, generation: 2, specHash: 'h', now: 'y' });
    expect(second.attempts).toBe(2);
  });
});

describe('summarizeReady', () => {
  it('is True only when every target holds the current fingerprint', () => {
    expect(summarizeReady(['a', 'b'], [{ name: 'a', ready: true, fingerprint: FP }, { name: 'b', ready: true, fingerprint: FP }], FP).status).toBe('True');
    const s = summarizeReady(['a', 'b'], [{ name: 'a', ready: true, fingerprint: FP }, { name: 'b', ready: true, fingerprint: OLD }], FP);
    expect(s.status).toBe('False');
  });
  it('reports the most serious reason and names the failing targets', () => {
    const s = summarizeReady(['a', 'b', 'c'], [
      { name: 'a', ready: false, reason: Reason.TargetUnavailable, message: 'refused' },
      { name: 'b', ready: false, reason: Reason.GrantDenied, message: 'policy' },
      { name: 'c', ready: true, fingerprint: FP },
    ], FP);
    expect(s).toMatchObject({ status: 'False', reason: Reason.GrantDenied, message: 'a: refused; b: policy' });
  });
});

describe('grantShortfall', () => {
  const declared = { read: [], write: ['/etc/app/tls.crt', '/etc/app/tls.key'], dial: ['h:443'], exec: [{ argv: ['/usr/sbin/nginx', '-s', 'reload'] }] };
  it('is empty when the policy allows everything declared', () => {
    expect(grantShortfall(declared, {})).toEqual([]);
    expect(grantShortfall(declared, { pathRoots: ['/etc/app'], hosts: ['h:443'], commands: [['/usr/sbin/nginx', '-s', 'reload']] })).toEqual([]);
  });
  it('lists each item the policy takes away', () => {
    expect(grantShortfall(declared, { pathRoots: ['/etc/app/tls.crt'], hosts: [], commands: [] })).toEqual([
      'write /etc/app/tls.key', 'dial h:443', 'exec [/usr/sbin/nginx -s reload]',
    ]);
  });
});

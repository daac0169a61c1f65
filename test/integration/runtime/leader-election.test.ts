import { CoordinationV1Api, V1MicroTime } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { LeaderElector, LeadershipLostError, type LeaderElectorOptions } from '../../../src/controller/runtime/leader-election.ts';
import { coordinationLeaseClient } from '../../../src/controller/runtime/lease-client.ts';
import { createTestNamespace, testKubeConfig } from '../../support/kube.ts';
import { eventually } from './helpers.ts';

const kc = testKubeConfig();
const leases = kc.makeApiClient(CoordinationV1Api);
let ns: string;

beforeAll(async () => {
  ns = await createTestNamespace('rt-lease', kc);
});

/** A candidate with its observable history. */
interface Candidate {
  elector: LeaderElector;
  stop: AbortController;
  run: Promise<void>;
  startedAt: number[];
  stoppedAt: number[];
  abortReasons: unknown[];
  errors: Error[];
}

/** Shared across candidates of one test: how many lead right now, and the most that ever did. */
interface Tally {
  now: number;
  max: number;
}

function candidate(lease: string, identity: string, tally: Tally, opts: Partial<LeaderElectorOptions> = {}, onLeading?: (signal: AbortSignal) => Promise<void>): Candidate {
  const c: Omit<Candidate, 'elector' | 'run'> = { stop: new AbortController(), startedAt: [], stoppedAt: [], abortReasons: [], errors: [] };
  const elector = new LeaderElector({
    client: coordinationLeaseClient(kc, ns, lease),
    identity,
    leaseDurationMs: 2000,
    renewDeadlineMs: 1500,
    retryPeriodMs: 250,
    onError: (e) => c.errors.push(e),
    callbacks: {
      onStartedLeading: async (signal) => {
        c.startedAt.push(Date.now());
        tally.now++;
        tally.max = Math.max(tally.max, tally.now);
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        c.abortReasons.push(signal.reason);
        await onLeading?.(signal);
        tally.now--;
      },
      onStoppedLeading: () => c.stoppedAt.push(Date.now()),
    },
    ...opts,
  });
  return { ...c, elector, run: elector.run(c.stop.signal) };
}

const leaseName = () => `le-${randomBytes(3).toString('hex')}`;
const readLease = (name: string) => leases.readNamespacedLease({ name, namespace: ns });

describe('LeaderElector against a real Lease', () => {
  it('elects exactly one of two candidates and keeps it while it renews', async () => {
    const name = leaseName();
    const tally = { now: 0, max: 0 };
    const a = candidate(name, 'a', tally);
    const b = candidate(name, 'b', tally);
    const leader = await eventually('a leader', () => [a, b].find((c) => c.elector.isLeader()));
    const follower = leader === a ? b : a;
    const first = await readLease(name);
    expect(first.spec?.holderIdentity).toBe(leader.elector.identity);
    // Let the leader renew a few times; the follower must observe it and stay a follower.
    const firstRenew = String(first.spec?.renewTime);
    await eventually('several renewals', async () => {
      const l = await readLease(name);
      return String(l.spec?.renewTime) !== firstRenew && (l.spec?.leaseTransitions ?? 0) === 0 && Date.parse(String(l.spec?.renewTime)) - Date.parse(firstRenew) >= 750;
    });
    expect(follower.elector.isLeader()).toBe(false);
    expect(follower.elector.observedLeader()).toBe(leader.elector.identity);
    expect(tally.max).toBe(1);
    a.stop.abort();
    b.stop.abort();
    await Promise.all([a.run, b.run]);
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it('hands over after the leader stops renewing, but not before its lease expired', async () => {
    const name = leaseName();
    const tally = { now: 0, max: 0 };
    const a = candidate(name, 'a', tally, { releaseOnCancel: false });
    await eventually('a leads', () => a.elector.isLeader());
    const b = candidate(name, 'b', tally);
    await eventually('b observes a', () => b.elector.observedLeader() === 'a');
    const crashedAt = Date.now();
    a.stop.abort(); // "crash": stop renewing, no release
    await a.run;
    const held = await readLease(name);
    expect(held.spec?.holderIdentity).toBe('a'); // not released
    await eventually('b leads', () => b.elector.isLeader(), 20_000);
    // b must have waited out a's full lease duration from its last renewal.
    const lastRenewOfA = Date.parse(String(held.spec?.renewTime));
    expect(b.startedAt[0]! - lastRenewOfA).toBeGreaterThanOrEqual(2000);
    expect(b.startedAt[0]!).toBeGreaterThan(crashedAt);
    const taken = await readLease(name);
    expect(taken.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    expect(tally.max).toBe(1);
    b.stop.abort();
    await b.run;
  });

  it('releases on shutdown after its work stopped, so the successor takes over without waiting for expiry', async () => {
    const name = leaseName();
    const tally = { now: 0, max: 0 };
    let holderDuringCleanup: string | undefined;
    const long = { leaseDurationMs: 60_000, renewDeadlineMs: 10_000, retryPeriodMs: 250 };
    const a = candidate(name, 'a', tally, long, async () => {
      holderDuringCleanup = (await readLease(name)).spec?.holderIdentity;
    });
    await eventually('a leads', () => a.elector.isLeader());
    const b = candidate(name, 'b', tally, long);
    await eventually('b observes a', () => b.elector.observedLeader() === 'a');
    const lastRenewOfA = Date.parse(String((await readLease(name)).spec?.renewTime));
    a.stop.abort();
    await a.run;
    expect(holderDuringCleanup).toBe('a'); // released only after the work promise settled
    expect(a.stoppedAt.length).toBe(1);
    const released = await readLease(name);
    await eventually('b leads', () => b.elector.isLeader());
    // Without the release b would have waited out a's 60 s lease.
    expect(b.startedAt[0]!).toBeLessThan(lastRenewOfA + 60_000);
    expect(['', 'b']).toContain(released.spec?.holderIdentity);
    expect((await readLease(name)).spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    b.stop.abort();
    await b.run;
  });

  it('aborts the leading signal with LeadershipLostError when someone else takes the Lease', async () => {
    const name = leaseName();
    const tally = { now: 0, max: 0 };
    const a = candidate(name, 'a', tally);
    await eventually('a leads', () => a.elector.isLeader());
    const cur = await readLease(name);
    await leases.replaceNamespacedLease({
      name, namespace: ns,
      body: { ...cur, spec: { ...cur.spec, holderIdentity: 'intruder', leaseDurationSeconds: 3600, renewTime: new V1MicroTime(Date.now()), acquireTime: new V1MicroTime(Date.now()) } },
    });
    await a.run; // returns after losing
    expect(a.abortReasons[0]).toBeInstanceOf(LeadershipLostError);
    expect(a.stoppedAt.length).toBe(1);
    expect(a.elector.isLeader()).toBe(false);
    expect((await readLease(name)).spec?.holderIdentity).toBe('intruder'); // a lost, so it did not release
  });

  it('rejects inconsistent timings at construction', () => {
    expect(() => new LeaderElector({
      client: coordinationLeaseClient(kc, ns, 'x'), identity: 'a', callbacks: { onStartedLeading: () => undefined },
      leaseDurationMs: 5000, renewDeadlineMs: 6000,
    })).toThrow(/leaseDuration \(5000 ms\) must be greater than renewDeadline/);
  });
});

/**
 * The fault suite (issue 13 §3), as one function both `npm run faults` (test/faults/run.ts)
 * and the CI test (test/integration/faults/fault-suite.test.ts, short parameters) call. It
 * returns numbers, never asserts: the test asserts, the runner writes docs/reliability.md.
 *
 * Phases, on one fixture (fault-fixture.ts):
 * 1. kill storm: a rotation storm over file, ACM and SSH targets while the single controller
 *    is SIGKILLed `kills` times at random moments and restarted at once; then, mid-storm and
 *    with the SAME process, etcd and kube-apiserver are each restarted. Then: convergence,
 *    and no replay — nothing written during a quiet period nor after one more SIGKILL+restart.
 * 2. target outage: the SSH host goes down during rotations; the other targets converge, the
 *    SSH target is retried with backoff, and converges once the host is back.
 * 3. leader kills: two replicas under leader election; the leader is SIGKILLed `leaderKills`
 *    times during rotations (a new standby is started each time); takeover times are measured
 *    from the Lease, and the deploy spans of every process are audited for overlaps.
 */
import { CoordinationV1Api } from '@kubernetes/client-node';
import { changedTargets, snapshot, verdict, waitConverged, type Verdict } from './converge.ts';
import { startFaultFixture, type FaultFixture } from './fault-fixture.ts';
import { between, LEASE_NAME, replicas, rotationStorm, sleep, type Replica, type Replicas } from './replicas.ts';
import { intervalsOf, overlapsOf } from './span-audit.ts';

export interface FaultOptions {
  readonly binDir: string;
  readonly kills: number;
  readonly leaderKills: number;
  readonly files: number;
  readonly acm: number;
  /** Gap between a controller being ready and its SIGKILL, ms (uniform). */
  readonly killGapMs: readonly [number, number];
  readonly rotateEveryMs: number;
  /** How long the SSH host stays down. */
  readonly outageMs: number;
  readonly log?: (m: string) => void;
}

export const SHORT: Omit<FaultOptions, 'binDir'> = { kills: 5, leaderKills: 1, files: 6, acm: 3, killGapMs: [200, 2000], rotateEveryMs: 100, outageMs: 8_000 };
export const LONG: Omit<FaultOptions, 'binDir'> = { kills: 50, leaderKills: 5, files: 12, acm: 4, killGapMs: [200, 2500], rotateEveryMs: 80, outageMs: 30_000 };

/** Lease timing of the controller (src/controller/runtime/leader-election.ts defaults). */
export const LEASE_DURATION_MS = 15_000;
export const RETRY_PERIOD_MS = 2_000;
/**
 * The latest a standby can take over after the leader died, as client-go (and our port) decide
 * it: the standby judges expiry from when IT first saw the last renewal (up to one jittered
 * retry period, 2 s × 2.2, after it happened), waits the lease duration from there, and
 * acquires at its next jittered retry: 15 s + 2 × 4.4 s. One more second covers the API round
 * trips of the acquire and of this suite's Lease poll on a loaded machine.
 */
export const TAKEOVER_BOUND_MS = LEASE_DURATION_MS + 2 * RETRY_PERIOD_MS * 2.2 + 1_000;

export interface FaultReport {
  readonly options: Omit<FaultOptions, 'binDir' | 'log'>;
  readonly startedAt: string;
  readonly totalSeconds: number;
  readonly killStorm: {
    readonly kills: number;
    /** Median time from spawning a controller to its /readyz (each kill waits for it, then a random gap). */
    readonly startToReadyMs: number;
    readonly rotations: number;
    readonly rotationPutsFailed: number;
    readonly initialConvergeMs: number;
    readonly etcdRestartMs: number;
    readonly apiserverRestartMs: number;
    readonly sameProcessThroughRestarts: boolean;
    readonly convergeMs: number;
    readonly verdict: Verdict;
    readonly quietWrites: number;
    readonly restartWrites: number;
    readonly restartSpanStarts: number;
  };
  readonly outage: {
    readonly othersConvergeMs: number;
    readonly failedAttempts: number;
    readonly retryGapsMs: readonly number[];
    readonly recoverMs: number;
    readonly verdict: Verdict;
  };
  readonly leader: {
    readonly kills: number;
    readonly takeoverMs: readonly number[];
    readonly expiryToTakeoverMs: readonly number[];
    readonly convergeMs: number;
    readonly verdict: Verdict;
  };
  readonly audit: { readonly deploys: number; readonly writes: number; readonly killedMidDeploy: number; readonly acmKilledMidDeploy: number; readonly overlaps: number; readonly processes: number };
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? 0;

async function leaseHolder(fx: FaultFixture): Promise<{ holder: string; renewMs: number } | undefined> {
  const leases = fx.clients.kc.makeApiClient(CoordinationV1Api);
  const l = await leases.readNamespacedLease({ namespace: fx.namespace, name: LEASE_NAME }).catch(() => undefined);
  const holder = l?.spec?.holderIdentity;
  return holder ? { holder, renewMs: new Date(l!.spec!.renewTime as unknown as string).getTime() } : undefined;
}

async function killStorm(fx: FaultFixture, reps: Replicas, o: FaultOptions) {
  const log = o.log ?? (() => undefined);
  let solo = await reps.spawn('solo-0', { leaderElect: false });
  const initial = await waitConverged(fx, 120_000);
  log(`initial convergence ${initial.ms} ms`);
  const storm = rotationStorm(fx, o.rotateEveryMs);
  const readyMs: number[] = [];
  for (let k = 1; k <= o.kills; k++) {
    readyMs.push(await reps.ready(solo));
    await sleep(between(o.killGapMs[0], o.killGapMs[1]));
    await reps.kill9(solo);
    solo = await reps.spawn(`solo-${k}`, { leaderElect: false });
    if (k % 10 === 0 || k === o.kills) log(`kill ${k}/${o.kills}`);
  }
  const survivor = solo;
  await sleep(1_500);
  let t = Date.now();
  await fx.plane.restartEtcd(2_000);
  const etcdRestartMs = Date.now() - t;
  await sleep(2_000);
  t = Date.now();
  await fx.plane.restartApiServer(2_000);
  const apiserverRestartMs = Date.now() - t;
  log(`etcd restart ${etcdRestartMs} ms, apiserver restart ${apiserverRestartMs} ms`);
  await sleep(1_500);
  const counts = await storm.stop();
  const end = await waitConverged(fx, 180_000);
  const sameProcessThroughRestarts = survivor.alive();
  log(`converged ${end.ms} ms after the storm; ${counts.ok} rotations`);

  // No replay: a quiet period, then one more SIGKILL + restart over the settled targets.
  const settled = await snapshot(fx);
  await sleep(5_000);
  const quietWrites = changedTargets(settled, await snapshot(fx)).length;
  const startsBefore = (await reps.spans()).filter((s) => s.phase === 'start').length;
  await reps.kill9(survivor);
  const fresh = await reps.spawn('solo-replay', { leaderElect: false });
  await sleep(8_000); // the restarted controller lists and reconciles every deployment well within this
  const restartWrites = changedTargets(settled, await snapshot(fx)).length;
  const restartSpanStarts = (await reps.spans()).filter((s) => s.phase === 'start').length - startsBefore;
  return {
    fresh,
    report: {
      kills: o.kills, startToReadyMs: median(readyMs), rotations: counts.ok, rotationPutsFailed: counts.failed, initialConvergeMs: initial.ms, etcdRestartMs, apiserverRestartMs,
      sameProcessThroughRestarts, convergeMs: end.ms, verdict: end.verdict, quietWrites, restartWrites, restartSpanStarts,
    },
  };
}

async function outage(fx: FaultFixture, reps: Replicas, o: FaultOptions) {
  const ssh = fx.targets.find((t) => t.kind === 'ssh')!;
  const others = fx.targets.filter((t) => t !== ssh);
  await fx.sshd.down();
  const down = Date.now();
  for (const t of fx.targets) await fx.rotate(t.name);
  const othersDone = await waitConverged(fx, 120_000, others);
  await sleep(Math.max(0, o.outageMs - (Date.now() - down)));
  await fx.sshd.up();
  const up = Date.now();
  const recovered = await waitConverged(fx, 180_000);
  const attempts = (await reps.spans()).filter((s) => s.phase === 'end' && s.deployment.endsWith(`/${ssh.name}`) && s.at >= down && s.at < up && s.outcome !== 'Deployed').map((s) => s.at).sort((a, b) => a - b);
  return {
    othersConvergeMs: othersDone.ms, failedAttempts: attempts.length, retryGapsMs: attempts.slice(1).map((a, i) => a - attempts[i]!),
    recoverMs: recovered.ms, verdict: recovered.verdict,
  };
}

async function leaderKills(fx: FaultFixture, reps: Replicas, o: FaultOptions) {
  const log = o.log ?? (() => undefined);
  const live = new Map<string, Replica>();
  for (const id of ['leader-a', 'leader-b']) live.set(id, await reps.spawn(id, { leaderElect: true }));
  for (let i = 0; i < 300 && !(await leaseHolder(fx)); i++) await sleep(100);
  const storm = rotationStorm(fx, o.rotateEveryMs * 3);
  const takeoverMs: number[] = [];
  const expiryToTakeoverMs: number[] = [];
  for (let k = 1; k <= o.leaderKills; k++) {
    await sleep(between(2_000, 5_000));
    const lease = await leaseHolder(fx);
    const leader = lease && live.get(lease.holder);
    if (!lease || !leader) throw new Error(`no live leader to kill (lease: ${JSON.stringify(lease)})`);
    const killedAt = await reps.kill9(leader);
    live.delete(leader.id);
    const standby = `leader-${k}`;
    live.set(standby, await reps.spawn(standby, { leaderElect: true }));
    let next: { holder: string } | undefined;
    while (!(next = await leaseHolder(fx)) || next.holder === lease.holder) {
      if (Date.now() - killedAt > 4 * LEASE_DURATION_MS) throw new Error('no takeover within 4 lease durations');
      await sleep(50);
    }
    const at = Date.now();
    takeoverMs.push(at - killedAt);
    expiryToTakeoverMs.push(at - (lease.renewMs + LEASE_DURATION_MS));
    log(`leader kill ${k}: ${lease.holder} → ${next.holder} in ${at - killedAt} ms`);
  }
  await storm.stop();
  const end = await waitConverged(fx, 180_000);
  return { live, report: { kills: o.leaderKills, takeoverMs, expiryToTakeoverMs, convergeMs: end.ms, verdict: end.verdict } };
}

/** Runs every phase on a fresh fixture and tears it down. */
export async function runFaultSuite(o: FaultOptions): Promise<FaultReport> {
  const t0 = Date.now();
  const fx = await startFaultFixture({ binDir: o.binDir, files: o.files, acm: o.acm, ...(o.log ? { log: o.log } : {}) });
  const reps = replicas(fx);
  try {
    const storm = await killStorm(fx, reps, o);
    const out = await outage(fx, reps, o);
    await reps.stop(storm.fresh);
    const leader = await leaderKills(fx, reps, o);
    const spans = await reps.spans();
    const intervals = intervalsOf(spans, reps.deaths, Date.now());
    const { binDir: _b, log: _l, ...options } = o;
    return {
      options, startedAt: new Date(t0).toISOString(), totalSeconds: Math.round((Date.now() - t0) / 1000),
      killStorm: storm.report, outage: out, leader: leader.report,
      audit: {
        deploys: intervals.length, writes: intervals.filter((i) => i.changed === true).length, killedMidDeploy: intervals.filter((i) => i.open).length, acmKilledMidDeploy: intervals.filter((i) => i.open && i.connector === 'awsAcm').length,
        overlaps: overlapsOf(intervals).length, processes: new Set(spans.map((s) => s.pid)).size,
      },
    };
  } finally {
    await reps.killAll();
    await fx.stop();
  }
}

export { verdict };

/**
 * The short fault run in CI (the long one is `npm run faults`, see docs/reliability.md): 5
 * SIGKILLs of the real controller process during a rotation storm over file, ACM (moto) and
 * SSH targets, etcd and kube-apiserver restarted under the same process, the SSH host down then
 * up, and one leader SIGKILL between two replicas. Its own control plane, moto and sshd.
 * Asserts the invariants; the numbers go to the log, never into assertions on time, except the
 * takeover bound the Lease protocol itself defines (TAKEOVER_BOUND_MS: lease duration + two
 * jittered retry periods).
 */
import { describe, expect, inject, it } from 'vitest';
import { runFaultSuite, SHORT, TAKEOVER_BOUND_MS, type FaultReport } from '../../faults/fault-suite.ts';

describe('fault suite (short)', () => {
  it('kills, control-plane restarts, a target outage and a leader kill: every target on the newest certificate, exactly once', { timeout: 420_000 }, async () => {
    const r: FaultReport = await runFaultSuite({ ...SHORT, binDir: inject('k8sBinDir'), log: (m) => process.stderr.write(`[faults] ${m}\n`) });
    process.stderr.write(`[faults] ${JSON.stringify(r)}\n`);
    const k = r.killStorm;
    expect(k.kills).toBe(SHORT.kills);
    expect(k.rotations).toBeGreaterThan(0);
    // No rotation lost, exactly one ACM certificate per target and none besides.
    expect(k.verdict.lagging).toEqual([]);
    expect(k.verdict.onNewest).toBe(k.verdict.targets);
    expect(k.verdict.acmExactlyOne).toBe(SHORT.acm);
    expect(k.verdict.acmOwnerTagged).toBe(SHORT.acm);
    // Anything else in the region carries no owner tag: moto's re-import tag loss (converge.ts), never a second owned copy.
    expect(k.verdict.acmTotal).toBe(SHORT.acm + k.verdict.acmUntagged.length);
    expect(k.verdict.acmUntagged.length).toBeLessThanOrEqual(r.audit.acmKilledMidDeploy);
    expect(k.sameProcessThroughRestarts).toBe(true);
    // No replay after convergence, neither idle nor across one more SIGKILL + restart.
    expect([k.quietWrites, k.restartWrites, k.restartSpanStarts]).toEqual([0, 0, 0]);
    // The SSH host's outage: the others converged while it was down; it was retried with growing gaps, then converged.
    expect(r.outage.failedAttempts).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < r.outage.retryGapsMs.length; i++) expect(r.outage.retryGapsMs[i]!).toBeGreaterThan(r.outage.retryGapsMs[i - 1]!);
    expect(r.outage.verdict.onNewest).toBe(r.outage.verdict.targets);
    // Leader kills: takeover within the Lease's own bound; all targets converged afterwards.
    expect(r.leader.takeoverMs).toHaveLength(SHORT.leaderKills);
    for (const ms of r.leader.takeoverMs) expect(ms).toBeLessThanOrEqual(TAKEOVER_BOUND_MS);
    expect(r.leader.verdict.onNewest).toBe(r.leader.verdict.targets);
    expect(r.leader.verdict.acmOwnerTagged).toBe(SHORT.acm);
    // The span audit saw deploys from every process and no two overlapping on one target.
    expect(r.audit.processes).toBeGreaterThanOrEqual(3);
    expect(r.audit.overlaps).toBe(0);
  });
});

/**
 * spec.rollout through the pure plan and composeStatus, step by step on a fake time line:
 * targets outside the running wave get "wait for wave" (no deploy), the plan asks to come back
 * when the pause ends, status shows the wave, what is pending and the pause's end, a failure
 * halts later waves with RolloutHalted naming the target, a fix resumes, a new certificate
 * restarts from wave 1.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTlsSecret } from '../../../../packages/connector-sdk/src/credential/index.ts';
import { connectorBlocks } from '../../../../src/connectors/registry.ts';
import type { CertificateDeploymentObject } from '../../../../src/controller/kube-types.ts';
import type { TargetOutcome } from '../../../../src/controller/pipeline/target-outcome.ts';
import type { Facts, Spec } from '../../../../src/controller/reconcile/gather.ts';
import { composeStatus, plan, type Plan } from '../../../../src/controller/reconcile/plan.ts';
import { specSchema } from '../../../../src/crds/spec.ts';
import type { DeploymentStatus } from '../../../../src/crds/status.ts';
import { mintChain, type MintedChain } from '../../../support/certs/index.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const schema = specSchema(connectorBlocks());
const file = (n: string, reload?: string[]) => ({ name: n, file: { certificatePath: `/x/${n}.crt`, privateKeyPath: `/x/${n}.key`, ...(reload ? { reload: { argv: reload } } : {}) } });
const spec = (t3Reload = '/bin/false'): Spec => schema.parse({
  secretRef: { name: 's' },
  targets: [file('t1'), file('t2'), file('t3', [t3Reload]), file('t4')],
  rollout: { waves: [{ targets: ['t1'] }, { targets: ['t2', 't3'] }], pauseAfterWave: '30s' },
}) as Spec;
const obj = (status: DeploymentStatus | undefined, s: Spec = spec()): CertificateDeploymentObject =>
  ({ metadata: { name: 'd', namespace: 'ns', uid: 'u', generation: 1, resourceVersion: '1' }, spec: s, ...(status ? { status } : {}) }) as CertificateDeploymentObject;

let one: MintedChain;
let two: MintedChain;
beforeAll(async () => {
  [one, two] = await Promise.all([mintChain({ dnsNames: ['a.example.test'] }), mintChain({ dnsNames: ['a.example.test'] })]);
});
const facts = (c: MintedChain, s: Spec = spec()): Facts => {
  const deployment = parseTlsSecret({ 'tls.crt': Buffer.from(c.chainPem.slice(0, -1).join('')), 'tls.key': Buffer.from(c.keyPem) }, { now: new Date() });
  return { kind: 'active', spec: s, certificate: { fingerprint: deployment.fingerprint, notAfter: deployment.notAfter }, deployment };
};
const ok: TargetOutcome = { ok: true, reason: 'Deployed', message: 'wrote 2 file(s)', retryable: false, invoked: true, changed: true, verified: false };
const refused: TargetOutcome = { ok: false, reason: 'DeployFailed', message: 'reload /bin/false exited with code 1; previous files restored', retryable: false, invoked: true, changed: false, verified: false };
const actions = (p: Plan) => Object.fromEntries(p.targets.map((t) => [t.target.name, t.decision.action]));

/** Plans at `at`, runs the deploys with `results` (default ok), composes the next status. */
function step(status: DeploymentStatus | undefined, at: number, results: Record<string, TargetOutcome> = {}, f: Facts = facts(one), s?: Spec): { p: Plan; next: DeploymentStatus } {
  const o = obj(status, s);
  const p = plan(o, f, at);
  const outcomes = new Map(p.targets.filter((t) => t.decision.action === 'deploy').map((t) => [t.target.name, results[t.target.name] ?? ok]));
  return { p, next: composeStatus(status ?? {}, 1, f, p, outcomes, at, 'ns')! };
}
const ready = (s: DeploymentStatus) => s.conditions?.find((c) => c.type === 'Ready');

describe('rollout through plan and composeStatus', () => {
  it('wave by wave with a pause, halted by a failure in wave 2, resumed by the fix', () => {
    // Wave 1 only; the held targets ask to be looked at again after one pause.
    const a = step(undefined, NOW);
    expect(actions(a.p)).toEqual({ t1: 'deploy', t2: 'waitForWave', t3: 'waitForWave', t4: 'waitForWave' });
    expect(a.p.targets[1]!.decision).toMatchObject({ action: 'waitForWave', wave: 2, why: 'wave 2 waits for wave 1' });
    expect(a.p.requeueAfterMs).toBe(30_000);
    expect(a.next.rollout).toEqual({ phase: 'Paused', wave: 2, waves: 3, current: ['t2', 't3'], pending: ['t4'], pausedUntil: '2026-12-01T12:00:30.000Z', message: 'wave 1/3 deployed and verified; wave 2 (2 target(s)) starts when pauseAfterWave has passed' });
    expect(ready(a.next)).toMatchObject({ status: 'False', reason: 'RolloutPaused' });

    // 10 s later: still paused; the plan comes back exactly when the pause ends.
    const b = step(a.next, NOW + 10_000);
    expect(actions(b.p)).toEqual({ t1: 'skip', t2: 'waitForWave', t3: 'waitForWave', t4: 'waitForWave' });
    expect(b.p.requeueAfterMs).toBe(20_000);
    expect(b.next).toEqual(a.next); // nothing to write

    // Pause over: wave 2 deploys; t3's reload is refused → Halted, wave 3 keeps the old certificate.
    const c = step(b.next, NOW + 30_000, { t3: refused });
    expect(actions(c.p)).toEqual({ t1: 'skip', t2: 'deploy', t3: 'deploy', t4: 'waitForWave' });
    expect(c.next.rollout).toMatchObject({ phase: 'Halted', wave: 2, haltedBy: ['t3'], current: ['t3'], pending: ['t4'] });
    expect(ready(c.next)).toMatchObject({ status: 'False', reason: 'RolloutHalted' });
    expect(ready(c.next)?.message).toBe('rollout halted at wave 2/3 by t3; 1 target(s) of later waves keep the previous certificate: t3 failed (DeployFailed: reload /bin/false exited with code 1; previous files restored)');
    expect(c.next.targets?.find((t) => t.name === 't3')).toMatchObject({ ready: false, attemptedFingerprint: c.next.fingerprint });

    // Halted: t4 waits with no timer; t3 keeps its own (terminal) retry timer.
    const d = step(c.next, NOW + 31_000);
    expect(actions(d.p)).toEqual({ t1: 'skip', t2: 'skip', t3: 'wait', t4: 'waitForWave' });
    expect(d.p.targets[3]!.decision).not.toHaveProperty('delayMs');
    expect(d.p.targets[3]!.decision.why).toBe('rollout halted by t3: wave 3 waits');
    expect(d.p.requeueAfterMs).toBe(30 * 60_000 - 1_000);

    // The fix (t3's spec changes): t3 deploys, wave 2 is done, wave 3 waits for the pause, then runs.
    const fixed = spec('/bin/true');
    const e = step(d.next, NOW + 40_000, {}, facts(one, fixed), fixed);
    expect(actions(e.p)).toEqual({ t1: 'skip', t2: 'skip', t3: 'deploy', t4: 'waitForWave' });
    expect(e.p.requeueAfterMs).toBe(30_000); // the fix may complete wave 2: look again after one pause
    expect(e.next.rollout).toMatchObject({ phase: 'Paused', wave: 3, current: ['t4'], pausedUntil: '2026-12-01T12:01:10.000Z' });
    const g = step(e.next, NOW + 70_000, {}, facts(one, fixed), fixed);
    expect(actions(g.p)).toEqual({ t1: 'skip', t2: 'skip', t3: 'skip', t4: 'deploy' });
    // The last wave: nothing held, so no rollout wake; what remains is the drift check of the settled targets.
    expect(g.p.drift?.nextInMs).toBeGreaterThanOrEqual(30 * 60_000);
    expect(g.p.requeueAfterMs).toBe(g.p.drift?.nextInMs);
    expect(g.next.rollout).toEqual({ phase: 'Complete', wave: 3, waves: 3, message: 'all 3 wave(s) hold the current certificate' });
    expect(ready(g.next)).toMatchObject({ status: 'True', reason: 'Deployed' });
  });

  it('a new certificate while halted restarts from wave 1; the old failure does not halt it', () => {
    const a = step(undefined, NOW);
    const c = step(step(a.next, NOW + 30_000, { t3: refused }).next, NOW + 31_000);
    expect(c.next.rollout?.phase).toBe('Halted');
    const r = step(c.next, NOW + 32_000, {}, facts(two));
    expect(actions(r.p)).toEqual({ t1: 'deploy', t2: 'waitForWave', t3: 'waitForWave', t4: 'waitForWave' });
    expect(r.next.rollout).toMatchObject({ phase: 'Paused', wave: 2, current: ['t2', 't3'] });
    // When wave 2 comes, t3 (failed for the old certificate, with a 30 min terminal backoff) deploys now.
    const s = step(r.next, NOW + 62_000, {}, facts(two));
    expect(actions(s.p)).toMatchObject({ t2: 'deploy', t3: 'deploy', t4: 'waitForWave' });
    expect(s.p.targets[2]!.decision.why).toBe('rollout wave 2/3');
  });

  it('status read back with sorted keys (as the API server returns it) composes to the same JSON: nothing to write', () => {
    const a = step(undefined, NOW);
    const sorted = JSON.parse(JSON.stringify(a.next.rollout, Object.keys(a.next.rollout!).sort())) as DeploymentStatus['rollout'];
    expect(Object.keys(sorted!)).not.toEqual(Object.keys(a.next.rollout!));
    const stored = { ...a.next, rollout: sorted };
    const b = step(stored, NOW + 10_000);
    expect(JSON.stringify(b.next)).toBe(JSON.stringify(stored));
  });

  it('no spec.rollout: every target deploys at once and status has no rollout', () => {
    const s = schema.parse({ secretRef: { name: 's' }, targets: [file('t1'), file('t2')] }) as Spec;
    const a = step({ rollout: { phase: 'Halted', wave: 1, waves: 2 } }, NOW, {}, facts(one, s), s);
    expect(actions(a.p)).toEqual({ t1: 'deploy', t2: 'deploy' });
    expect(JSON.parse(JSON.stringify(a.next))).not.toHaveProperty('rollout');
  });
});

describe('rollout and mode: Plan', () => {
  it('plans every target at once whatever its wave; back in Apply the waves apply', () => {
    const planned = schema.parse({ ...spec(), mode: 'Plan' }) as Spec;
    const p = plan(obj(undefined, planned), facts(one, planned), NOW);
    expect(actions(p)).toEqual({ t1: 'deploy', t2: 'deploy', t3: 'deploy', t4: 'deploy' });
    expect(p.targets.map((t) => t.planOnly)).toEqual([true, true, true, true]);
    // Nothing is gated, so no rollout wake is asked for.
    expect(p.requeueAfterMs).toBeUndefined();

    const applied = plan(obj(undefined), facts(one), NOW);
    expect(actions(applied)).toEqual({ t1: 'deploy', t2: 'waitForWave', t3: 'waitForWave', t4: 'waitForWave' });
    expect(applied.targets.some((t) => t.planOnly)).toBe(false);
  });
});

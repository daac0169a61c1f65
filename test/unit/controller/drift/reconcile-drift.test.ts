/**
 * Drift through the real reconcile (fake KubePort, real file connector over a real directory,
 * the injected fake clock): a check on the target's slot, Diverged under Report (condition,
 * Event, no deploy), a repair under Repair (one connector call, the file rewritten, Serving
 * after it), Absent repaired, and Unknown never repaired.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorBlocks, connectorsByName } from '../../../../src/connectors/registry.ts';
import { FakeClock } from '../../../../src/core/fake-clock.ts';
import type { HostPool } from '../../../../src/controller/host-pool.ts';
import type { KubePort } from '../../../../src/controller/kube-port.ts';
import type { CertificateDeploymentObject } from '../../../../src/controller/kube-types.ts';
import { reconcileDeployment } from '../../../../src/controller/reconcile/reconcile.ts';
import type { ReconcilerDeps } from '../../../../src/controller/reconciler-deps.ts';
import { nextCheckAt } from '../../../../src/controller/drift/schedule.ts';
import { specSchema } from '../../../../src/crds/spec.ts';
import type { DeploymentStatus } from '../../../../src/crds/status.ts';
import { LocalHost } from '../../../../packages/connector-sdk/src/sandbox/host/local-host.ts';
import { mintChain, type MintedChain } from '../../../support/certs/index.ts';
import { unrestrictedSource } from '../../../support/policy-fixtures.ts';

let dir = '';
let chain: MintedChain;
let other: MintedChain;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cd-drift-'));
  chain = await mintChain({ dnsNames: ['drift.example.test'] });
  other = await mintChain({ name: 'Other', dnsNames: ['drift.example.test'] });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const fp = (pem: string) => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
const b64 = (s: string) => Buffer.from(s).toString('base64');

function setup(name: string) {
  const clock = new FakeClock(Date.now());
  const state: { status?: DeploymentStatus; driftPolicy: 'Report' | 'Repair'; generation: number } = { driftPolicy: 'Report', generation: 1 };
  const events: { type: string; reason: string; note: string }[] = [];
  const metrics: { checks: string[]; repairs: string[]; drifted: (boolean | undefined)[] } = { checks: [], repairs: [], drifted: [] };
  const kube: KubePort = {
    getSecret: async () => ({ metadata: { name: 's', namespace: 'ns', resourceVersion: '7' }, type: 'kubernetes.io/tls', data: { 'tls.crt': b64(chain.chainPem.slice(0, -1).join('')), 'tls.key': b64(chain.keyPem) } }),
    patchStatus: async (_o, compose) => { state.status = compose(state.status ?? {}); return true; },
    setFinalizers: async () => undefined,
  };
  const hosts: HostPool = { local: new LocalHost(), hostFor: async () => new LocalHost(), observedHostKey: () => undefined, close: async () => undefined };
  const deps: ReconcilerDeps = {
    kube, registry: connectorsByName, events: { event: (_o, type, reason, _a, note) => events.push({ type, reason, note }) },
    metrics: {
      deploy: () => undefined, setExpiry: () => undefined, forget: () => undefined,
      target: (_ns, _n, _t, _c, s) => metrics.drifted.push(s.drifted), driftCheck: (_c, v) => metrics.checks.push(v), driftRepair: (_c, r) => metrics.repairs.push(r),
    },
    policy: { ambientCloudIdentity: false }, policySource: unrestrictedSource(), hosts, clock, specSchema: specSchema(connectorBlocks()), deployTimeoutMs: 10_000,
    secretMeta: () => ({ resourceVersion: '7' }),
  };
  const certificatePath = join(dir, `${name}.crt`);
  const obj = (): CertificateDeploymentObject => ({
    metadata: { name: 'd', namespace: 'ns', uid: `uid-${name}`, generation: state.generation, resourceVersion: '1' },
    spec: { secretRef: { name: 's' }, verify: { interval: '10s' }, driftPolicy: state.driftPolicy, targets: [{ name: 't', file: { certificatePath, privateKeyPath: join(dir, `${name}.key`) } }] },
    ...(state.status ? { status: state.status } : {}),
  }) as CertificateDeploymentObject;
  const run = () => reconcileDeployment(obj(), deps, new AbortController().signal);
  const target = () => state.status!.targets![0]!;
  const drifted = () => state.status!.conditions!.find((c) => c.type === 'Drifted');
  /** Moves the clock to the target's next slot. */
  const toNextSlot = async () => {
    const t = target();
    const last = Math.max(...[t.drift?.checkedAt, t.deployedAt, t.verifiedAt, t.lastAttemptAt].filter((x): x is string => x !== undefined).map(Date.parse));
    await clock.advance(nextCheckAt(last, 10_000, `uid-${name}/t`) - clock.now());
  };
  return { clock, state, events, metrics, deps, run, target, drifted, toNextSlot, certificatePath };
}

describe('drift in the reconcile', () => {
  it('Report: checks on the slot, finds Diverged (names the other certificate), sets Drifted, warns once, redeploys nothing', async () => {
    const s = setup('report');
    const first = await s.run();
    expect(first.invocations).toBe(1);
    // The deploy's own status write does not come back as work: the reconcile asks to be woken for the first check.
    expect(first.requeueAfterMs).toBeGreaterThanOrEqual(5_000);
    expect(first.requeueAfterMs).toBeLessThanOrEqual(15_000);
    expect(s.target().drift).toBeUndefined();
    const early = await s.run();
    expect(early.invocations).toBe(0);
    expect(early.requeueAfterMs).toBeGreaterThan(0); // requeued for its slot
    expect(early.requeueAfterMs).toBeLessThanOrEqual(15_000);

    await s.toNextSlot();
    expect((await s.run()).invocations).toBe(0);
    expect(s.target().drift).toMatchObject({ verdict: 'Serving', fingerprint: fp(chain.leafPem) });
    expect(s.drifted()).toMatchObject({ status: 'False', reason: 'Serving' });

    await writeFile(s.certificatePath, other.chainPem.slice(0, -1).join(''));
    await s.toNextSlot();
    expect((await s.run()).invocations).toBe(0);
    expect(s.target().drift).toMatchObject({ verdict: 'Diverged', observedFingerprint: fp(other.leafPem), held: { verdict: 'Diverged', fingerprint: fp(other.leafPem) } });
    expect(s.target().drift!.observedNotAfter).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(s.target().ready).toBe(true); // Ready keeps meaning "the last deploy worked"; Drifted says the rest
    expect(s.drifted()).toMatchObject({ status: 'True', reason: 'Diverged' });
    expect(s.events.filter((e) => e.reason === 'Drifted')).toHaveLength(1);
    expect(s.metrics.drifted.at(-1)).toBe(true);

    await s.toNextSlot();
    await s.run();
    expect(s.events.filter((e) => e.reason === 'Drifted')).toHaveLength(1); // not news: no repeat
    expect(await readFile(s.certificatePath, 'utf8')).toContain(other.leafPem.trim().split('\n')[1]);
  });

  it('Repair: switching the policy repairs at once with one connector call; Serving afterwards; not again until the slot', async () => {
    const s = setup('repair');
    await s.run();
    await writeFile(s.certificatePath, other.chainPem.slice(0, -1).join(''));
    await s.toNextSlot();
    await s.run();
    expect(s.target().drift?.verdict).toBe('Diverged');

    s.state.driftPolicy = 'Repair';
    s.state.generation = 2;
    const repaired = await s.run();
    expect(repaired.invocations).toBe(1);
    expect(await readFile(s.certificatePath, 'utf8')).toContain(chain.leafPem.trim().split('\n')[1]);
    expect(s.target().drift).toMatchObject({ verdict: 'Serving', repairs: 1 });
    expect(s.target().drift!.lastRepairAt).toBe(s.target().drift!.checkedAt);
    expect(s.drifted()).toMatchObject({ status: 'False' });
    expect(s.events.find((e) => e.reason === 'DriftRepaired')?.note).toMatch(/^t: redeployed after Diverged .*; now Serving$/);
    expect(s.metrics.repairs).toEqual(['success']);

    expect((await s.run()).invocations).toBe(0); // not due: no second write

    await rm(s.certificatePath);
    await s.toNextSlot();
    expect((await s.run()).invocations).toBe(1);
    expect(s.target().drift).toMatchObject({ verdict: 'Serving', repairs: 2 });
    expect(s.events.filter((e) => e.reason === 'DriftRepaired').at(-1)?.note).toMatch(/after Absent/);
  });

  it('Unknown (the target cannot be read) is recorded and never repaired', async () => {
    const s = setup('unknown');
    s.state.driftPolicy = 'Repair';
    await s.run();
    await rm(s.certificatePath);
    await mkdir(s.certificatePath); // reading it fails: no answer, not "absent"
    for (let i = 0; i < 3; i++) {
      await s.toNextSlot();
      expect((await s.run()).invocations).toBe(0);
    }
    expect(s.target().drift).toMatchObject({ verdict: 'Unknown' });
    expect(s.target().drift!.repairs).toBeUndefined();
    expect(s.drifted()).toMatchObject({ status: 'Unknown', reason: 'Unreachable' });
    expect(s.metrics.checks.filter((v) => v === 'Unknown')).toHaveLength(3);
    expect(s.events.some((e) => e.reason.startsWith('Drift'))).toBe(false);
  });
});

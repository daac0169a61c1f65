/**
 * The pure plan as a table of cases, and reconcileDeployment end to end on a fake KubePort
 * (in-memory object and Secret; the real apiserver runs in test/integration/controller).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { connectorBlocks, connectorsByName } from '../../../src/connectors/registry.ts';
import { parseTlsSecret } from '../../../packages/connector-sdk/src/credential/index.ts';
import { FakeClock } from '../../../src/core/fake-clock.ts';
import type { HostPool } from '../../../src/controller/host-pool.ts';
import type { KubePort } from '../../../src/controller/kube-port.ts';
import type { CertificateDeploymentObject } from '../../../src/controller/kube-types.ts';
import type { Facts, Spec } from '../../../src/controller/reconcile/gather.ts';
import { composeStatus, plan } from '../../../src/controller/reconcile/plan.ts';
import { credentialSecretsOfTarget, credentialVersions } from '../../../src/controller/credential-refs.ts';
import { SecretIndex } from '../../../src/controller/secret-index.ts';
import { reconcileDeployment } from '../../../src/controller/reconcile/reconcile.ts';
import type { ReconcilerDeps } from '../../../src/controller/reconciler-deps.ts';
import { unrestrictedSource } from '../../support/policy-fixtures.ts';
import { FINALIZER } from '../../../src/crds/names.ts';
import { specSchema } from '../../../src/crds/spec.ts';
import type { DeploymentStatus } from '../../../src/crds/status.ts';
import { LocalHost } from '../../../packages/connector-sdk/src/sandbox/host/local-host.ts';
import { mintChain, type MintedChain } from '../../support/certs/index.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const schema = specSchema(connectorBlocks());
const spec = (over: Record<string, unknown> = {}): Spec => schema.parse({ secretRef: { name: 's' }, targets: [{ name: 't', file: { certificatePath: '/x/t.crt', privateKeyPath: '/x/t.key' } }], ...over }) as Spec;
const obj = (over: Partial<CertificateDeploymentObject['metadata']> = {}, status?: DeploymentStatus, s: unknown = spec()): CertificateDeploymentObject =>
  ({ metadata: { name: 'd', namespace: 'ns', uid: 'u', generation: 1, resourceVersion: '1', ...over }, spec: s, ...(status ? { status } : {}) }) as CertificateDeploymentObject;

let chain: MintedChain;
let expired: MintedChain;
beforeAll(async () => {
  chain = await mintChain({ dnsNames: ['a.example.test'] });
  expired = await mintChain({ dnsNames: ['old.example.test'], notBefore: new Date(Date.now() - 90 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
});
const active = (s = spec()): Facts => {
  const deployment = parseTlsSecret({ 'tls.crt': Buffer.from(chain.chainPem.slice(0, -1).join('')), 'tls.key': Buffer.from(chain.keyPem) }, { now: new Date() });
  return { kind: 'active', spec: s, certificate: { fingerprint: deployment.fingerprint, notAfter: deployment.notAfter }, deployment };
};

describe('plan (pure): the decision table', () => {
  const cases: { name: string; o: () => CertificateDeploymentObject; facts: () => Facts; want: Record<string, unknown> }[] = [
    { name: 'deleting without our finalizer: nothing to do', o: () => obj({ deletionTimestamp: 'x' }), facts: () => ({ kind: 'deleting' }), want: { undeploy: false, finalizers: undefined } },
    { name: 'deleting with our finalizer: undeploy, then drop only ours', o: () => obj({ deletionTimestamp: 'x', finalizers: ['other', FINALIZER] }), facts: () => ({ kind: 'deleting' }), want: { undeploy: true, finalizers: ['other'] } },
    { name: 'invalid spec: no finalizer change, no target runs', o: () => obj(), facts: () => ({ kind: 'invalidSpec', message: 'm' }), want: { undeploy: false, finalizers: undefined, targets: [] } },
    { name: 'suspended: nothing runs', o: () => obj(), facts: () => ({ kind: 'suspended', spec: spec({ suspend: true }) }), want: { targets: [], event: undefined } },
    { name: 'Secret missing, deletionPolicy Delete: finalizer first, Warning once', o: () => obj(), facts: () => ({ kind: 'secretMissing', spec: spec({ deletionPolicy: 'Delete' }) }), want: { finalizers: [FINALIZER], event: { reason: 'SecretNotFound' } } },
    {
      name: 'Secret still missing: status already says so, no repeated Warning',
      o: () => obj({}, { conditions: [{ type: 'Ready', status: 'False', reason: 'SecretNotFound', message: 'x', lastTransitionTime: '2026-01-01T00:00:00Z' }] }),
      facts: () => ({ kind: 'secretMissing', spec: spec() }), want: { event: undefined },
    },
    {
      name: 'invalid certificate with the message status already holds: no Warning',
      o: () => obj({}, { conditions: [{ type: 'Ready', status: 'False', reason: 'InvalidCertificate', message: 'same', lastTransitionTime: '2026-01-01T00:00:00Z' }] }),
      facts: () => ({ kind: 'invalidCertificate', spec: spec(), message: 'same' }), want: { event: undefined },
    },
    { name: 'a target never deployed: deploy', o: () => obj(), facts: () => active(), want: { targets: [expect.objectContaining({ decision: expect.objectContaining({ action: 'deploy', why: 'never deployed' }) })] } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const p = plan(c.o(), c.facts(), NOW);
      expect(p).toMatchObject(Object.fromEntries(Object.entries(c.want).filter(([, v]) => v !== undefined)));
      for (const [k, v] of Object.entries(c.want)) if (v === undefined) expect(p[k as keyof typeof p]).toBeUndefined();
    });
  }
  it('a target that failed a moment ago waits, and the plan says when to come back', () => {
    const f = active();
    const first = composeStatus({}, 1, f, plan(obj(), f, NOW), new Map([['t', { ok: false, reason: 'TargetUnavailable', message: 'down', retryable: true, invoked: true, changed: false, verified: false }]]), NOW, 'ns')!;
    const p = plan(obj({}, first), f, NOW + 1_000);
    expect(p.targets[0]!.decision.action).toBe('wait');
    expect(p.requeueAfterMs).toBe(4_000);
  });
});

describe('plan: redeploy requests (certdeployer.io/redeploy-at)', () => {
  const readyStatus = (f: Facts) => composeStatus({}, 1, f, plan(obj(), f, NOW), new Map([['t', { ok: true, reason: 'Deployed', message: 'ok', retryable: false, invoked: true, changed: true, verified: false }]]), NOW, 'ns')!;
  it('a new request forces a deploy of a target that holds the fingerprint, and status records it', () => {
    const f = active();
    const st = readyStatus(f);
    expect(plan(obj({}, st), f, NOW).targets[0]!.decision.action).toBe('skip');
    const p = plan(obj({ annotations: { 'certdeployer.io/redeploy-at': '2026-12-01T12:00:00Z' } }, st), f, NOW);
    expect(p.targets[0]!.decision).toMatchObject({ action: 'deploy', why: expect.stringContaining('redeploy requested') });
    expect(composeStatus(st, 1, f, p, new Map(), NOW, 'ns')?.redeployRequest).toBe('2026-12-01T12:00:00Z');
  });
  it('a request already recorded in status runs no more', () => {
    const f = active();
    const st = { ...readyStatus(f), redeployRequest: '2026-12-01T12:00:00Z' };
    expect(plan(obj({ annotations: { 'certdeployer.io/redeploy-at': '2026-12-01T12:00:00Z' } }, st), f, NOW).targets[0]!.decision.action).toBe('skip');
  });
  it('a request limited to other targets leaves this one alone', () => {
    const f = active();
    const st = readyStatus(f);
    const p = plan(obj({ annotations: { 'certdeployer.io/redeploy-at': 'now-1', 'certdeployer.io/redeploy-targets': 'x, y' } }, st), f, NOW);
    expect(p.targets[0]!.decision.action).toBe('skip');
  });
  it('a request cuts short a terminal failure\'s slow timer', () => {
    const f = active();
    const failedStatus = composeStatus({}, 1, f, plan(obj(), f, NOW), new Map([['t', { ok: false, reason: 'DeployFailed', message: 'refused', retryable: false, invoked: true, changed: false, verified: false }]]), NOW, 'ns')!;
    expect(plan(obj({}, failedStatus), f, NOW + 1000).targets[0]!.decision.action).toBe('wait');
    expect(plan(obj({ annotations: { 'certdeployer.io/redeploy-at': 'retry-now' } }, failedStatus), f, NOW + 1000).targets[0]!.decision.action).toBe('deploy');
  });
  it('a changed credentials Secret cuts short a terminal failure\'s slow timer; an unchanged one does not', () => {
    const s = spec({ targets: [{ name: 't', awsAcm: { region: 'us-east-1', credentialsRef: { name: 'aws' } } }] });
    const f = active(s);
    const o = obj({}, undefined, s);
    const versions = (rv: string | undefined) => (target: Readonly<Record<string, unknown>>) => credentialVersions(connectorsByName, target, (name) => (name === 'aws' && rv ? { resourceVersion: rv } : undefined));
    const failed = (rv: string | undefined) => composeStatus({}, 1, f, plan(o, f, NOW, undefined, undefined, versions(rv)), new Map([['t', { ok: false, reason: 'DeployFailed', message: 'credentials Secret "aws" lacks aws_secret_access_key', retryable: false, invoked: true, changed: false, verified: false }]]), NOW, 'ns')!;
    const after = (st: DeploymentStatus, rv: string | undefined) => plan(obj({}, st, s), f, NOW + 1000, undefined, undefined, versions(rv)).targets[0]!.decision;
    expect(after(failed('7'), '7').action).toBe('wait');
    expect(after(failed('7'), '8')).toMatchObject({ action: 'deploy', why: 'spec changed' });
    // A Secret that was missing and now exists counts as a change too.
    expect(after(failed(undefined), '9').action).toBe('deploy');
    // A target that reads no credentials keeps the hash it had without the lookup (no re-run on upgrade).
    const plain = active();
    expect(plan(obj(), plain, NOW, undefined, undefined, versions('1')).targets[0]!.specHash).toBe(plan(obj(), plain, NOW).targets[0]!.specHash);
  });
});

describe('credentials Secrets of a target', () => {
  it('are the connector refs and the SSH key Secret, de-duplicated; none for an invalid block', () => {
    const ssh = { address: 'edge:22', user: 'u', credentialsRef: { name: 'ssh-key' }, hostKey: 'ssh-ed25519 AAAA' };
    expect(credentialSecretsOfTarget(connectorsByName, { name: 'a', awsAcm: { region: 'us-east-1', credentialsRef: { name: 'aws' } } })).toEqual(['aws']);
    expect(credentialSecretsOfTarget(connectorsByName, { name: 'n', nginx: { host: { ssh }, certificatePath: '/e/c', privateKeyPath: '/e/k' } })).toEqual(['ssh-key']);
    expect(credentialSecretsOfTarget(connectorsByName, { name: 'f', file: { certificatePath: '/e/c', privateKeyPath: '/e/k' } })).toEqual([]);
    expect(credentialSecretsOfTarget(connectorsByName, { name: 'x', awsAcm: { region: 7 } })).toEqual([]);
  });
  it('index a deployment under each Secret it reads; re-indexing replaces, delete forgets', () => {
    const index = new SecretIndex();
    index.set('ns/d', ['ns/tls', 'ns/aws', 'ns/ssh-key']);
    index.set('ns/e', ['ns/aws']);
    expect(index.deploymentsFor('ns/aws').sort()).toEqual(['ns/d', 'ns/e']);
    index.set('ns/d', ['ns/tls']);
    expect(index.deploymentsFor('ns/aws')).toEqual(['ns/e']);
    expect(index.deploymentsFor('ns/ssh-key')).toEqual([]);
    index.delete('ns/e');
    expect(index.deploymentsFor('ns/aws')).toEqual([]);
    expect(index.size).toBe(1);
  });
});

describe('composeStatus (pure)', () => {
  it('an invalid certificate composes the same status at a later time: a restart writes nothing', () => {
    const f: Facts = { kind: 'invalidCertificate', spec: spec(), message: 'Secret s: the certificate expired at 2026-01-01T00:00:00.000Z' };
    const first = composeStatus({}, 1, f, plan(obj(), f, NOW), new Map(), NOW, 'ns')!;
    expect(composeStatus(first, 1, f, plan(obj({}, first), f, NOW + 86_400_000), new Map(), NOW + 86_400_000, 'ns')).toEqual(first);
  });
  it('targets that did not run keep the entry of the status it composes from (the fresh one after a conflict)', () => {
    const f = active(spec({ targets: [{ name: 'a', file: { certificatePath: '/x/a.crt', privateKeyPath: '/x/a.key' } }, { name: 'b', file: { certificatePath: '/x/b.crt', privateKeyPath: '/x/b.key' } }] }));
    const p = plan(obj(), f, NOW);
    const fresh: DeploymentStatus = { targets: [{ name: 'b', ready: true, fingerprint: 'f', reason: 'Deployed', message: 'by someone else' }] };
    const next = composeStatus(fresh, 1, f, p, new Map([['a', { ok: true, reason: 'Deployed', message: 'ok', retryable: false, invoked: true, changed: true, verified: false }]]), NOW, 'ns')!;
    expect(next.targets?.find((t) => t.name === 'b')).toMatchObject({ message: 'by someone else' });
    expect(next.targets?.find((t) => t.name === 'a')).toMatchObject({ ready: true, attempts: 0 });
  });
});

/** An in-memory KubePort: one object, one Secret; counts writes. */
function fakeKube(secret: Record<string, string> | null) {
  const state = { status: undefined as DeploymentStatus | undefined, writes: 0, finalizers: [] as string[], secretReads: 0 };
  const kube: KubePort = {
    getSecret: async () => {
      state.secretReads++;
      return secret ? { metadata: { name: 's', namespace: 'ns', resourceVersion: '77' }, type: 'kubernetes.io/tls', data: secret } : null;
    },
    patchStatus: async (_o, compose) => {
      const next = compose(state.status ?? {});
      if (!next || JSON.stringify(next) === JSON.stringify(state.status ?? {})) return false;
      state.status = next;
      state.writes++;
      return true;
    },
    setFinalizers: async (_o, f) => { state.finalizers = [...f]; },
  };
  return { kube, state };
}

function deps(kube: KubePort, clock: FakeClock, events: string[]): ReconcilerDeps {
  const hosts: HostPool = { local: new LocalHost(), hostFor: async () => new LocalHost(), observedHostKey: () => undefined, close: async () => undefined };
  return {
    kube, registry: connectorsByName, events: { event: (_o, type, reason) => events.push(`${type}/${reason}`) },
    metrics: { deploy: () => undefined, setExpiry: () => undefined, forget: () => undefined },
    policy: { ambientCloudIdentity: false }, policySource: unrestrictedSource(), hosts, clock, specSchema: schema, deployTimeoutMs: 1_000,
  };
}

describe('reconcileDeployment on a fake KubePort', () => {
  it('an expired certificate: one status write and one Warning, then restarts a day apart write and emit nothing', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const { kube, state } = fakeKube({ 'tls.crt': b64(expired.chainPem.slice(0, -1).join('')), 'tls.key': b64(expired.keyPem) });
    const clock = new FakeClock(Date.now());
    const events: string[] = [];
    await reconcileDeployment(obj(), deps(kube, clock, events), new AbortController().signal);
    expect(state.writes).toBe(1);
    expect(events).toEqual(['Warning/InvalidCertificate']);
    for (let i = 0; i < 3; i++) {
      await clock.advance(86_400_000);
      const out = await reconcileDeployment(obj({}, state.status), deps(kube, clock, events), new AbortController().signal);
      expect(out).toMatchObject({ statusWritten: false, invocations: 0 });
    }
    expect(state.writes).toBe(1);
    expect(events).toHaveLength(1);
  });
  it('a missing Secret: Warning once, Ready False with the Secret named', async () => {
    const { kube, state } = fakeKube(null);
    const events: string[] = [];
    const clock = new FakeClock(NOW);
    await reconcileDeployment(obj(), deps(kube, clock, events), new AbortController().signal);
    await reconcileDeployment(obj({}, state.status), deps(kube, clock, events), new AbortController().signal);
    expect(events).toEqual(['Warning/SecretNotFound']);
    expect(state.status?.conditions?.[0]).toMatchObject({ status: 'False', reason: 'SecretNotFound', message: expect.stringContaining('ns/s') });
  });
});

describe('reconcileDeployment reads an unchanged Secret once', () => {
  it('status records the Secret resourceVersion; while the cache shows it, a restart reads no Secret and calls no connector', async () => {
    const b64 = (x: string) => Buffer.from(x).toString('base64');
    const { kube, state } = fakeKube({ 'tls.crt': b64(chain.chainPem.slice(0, -1).join('')), 'tls.key': b64(chain.keyPem) });
    const clock = new FakeClock(Date.now());
    let deploys = 0;
    const d = { ...deps(kube, clock, []), secretMeta: () => ({ resourceVersion: '77' }) };
    const registry = new Map([...connectorsByName].map(([n, def]) => [n, { ...def, create: (c: never) => ({ ...def.create(c), capabilities: () => def.create(c).capabilities(), deploy: async () => { deploys++; return { changed: true }; } }) }]));
    await reconcileDeployment(obj(), { ...d, registry }, new AbortController().signal);
    expect(state.status?.secretResourceVersion).toBe('77');
    expect([state.secretReads, deploys]).toEqual([1, 1]);
    for (let i = 0; i < 3; i++) await reconcileDeployment(obj({}, state.status), { ...d, registry }, new AbortController().signal);
    expect([state.secretReads, deploys, state.writes]).toEqual([1, 1, 1]);
    // A spec change needs the key again: then, and only then, the Secret is read.
    const changed = spec({ targets: [{ name: 't', file: { certificatePath: '/x/other.crt', privateKeyPath: '/x/t.key' } }] });
    await reconcileDeployment(obj({ generation: 2 }, state.status, changed), { ...d, registry }, new AbortController().signal);
    expect([state.secretReads, deploys]).toEqual([2, 2]);
    // A new resourceVersion in the cache: read again.
    await reconcileDeployment(obj({ generation: 2 }, state.status, changed), { ...d, registry, secretMeta: () => ({ resourceVersion: '78' }) }, new AbortController().signal);
    expect(state.secretReads).toBe(3);
  });
});

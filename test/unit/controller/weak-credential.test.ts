/**
 * The WeakCredential condition and Event under --weak-credentials=Warn: set while the Secret's
 * credential has findings (Ready unaffected), one Warning Event per new finding, kept as is when
 * the Secret was not read (status vouched for it), removed when a strong credential replaces it.
 */
import { describe, expect, it } from 'vitest';
import { connectorBlocks } from '../../../src/connectors/registry.ts';
import type { Weakness } from '../../../packages/connector-sdk/src/credential/index.ts';
import type { Deployment } from '../../../packages/connector-sdk/src/deployment.ts';
import type { CertificateDeploymentObject } from '../../../src/controller/kube-types.ts';
import type { TargetOutcome } from '../../../src/controller/pipeline/target-outcome.ts';
import type { Facts, Spec } from '../../../src/controller/reconcile/gather.ts';
import { composeStatus, plan } from '../../../src/controller/reconcile/plan.ts';
import { specSchema } from '../../../src/crds/spec.ts';
import type { DeploymentStatus } from '../../../src/crds/status.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const spec = specSchema(connectorBlocks()).parse({ secretRef: { name: 's' }, targets: [{ name: 't', file: { certificatePath: '/x/t.crt', privateKeyPath: '/x/t.key' } }] }) as Spec;
const obj = (status?: DeploymentStatus): CertificateDeploymentObject =>
  ({ metadata: { name: 'd', namespace: 'ns', uid: 'u', generation: 1, resourceVersion: '1' }, spec, ...(status ? { status } : {}) }) as CertificateDeploymentObject;
const certificate = { fingerprint: 'a'.repeat(64), notAfter: new Date(NOW + 86_400_000) };
const deployment = { fingerprint: certificate.fingerprint, notAfter: certificate.notAfter } as unknown as Deployment;
const weak: Weakness[] = [{ reason: 'WeakKey', message: 'the private key is RSA 1024 bits, under 2048' }];
const facts = (weaknesses: Weakness[] | undefined, read = true): Facts =>
  ({ kind: 'active', spec, certificate, ...(read ? { deployment, weaknesses } : {}) }) as Facts;
const deployed = new Map<string, TargetOutcome>([['t', { ok: true, reason: 'Deployed', message: 'ok', retryable: false, invoked: true, changed: true, verified: false }]]);
const compose = (current: DeploymentStatus, f: Facts, now = NOW) => composeStatus(current, 1, f, plan(obj(current), f, now), deployed, now, 'ns')!;
const weakCondition = (s: DeploymentStatus) => s.conditions?.find((c) => c.type === 'WeakCredential');

describe('WeakCredential (Warn)', () => {
  it('a weak credential deploys, Ready is True, the condition names the finding, one Event', () => {
    const f = facts(weak);
    const p = plan(obj(), f, NOW);
    expect(p.targets[0]!.decision.action).toBe('deploy');
    expect(p.event).toEqual({ reason: 'WeakCredential', note: expect.stringContaining('Secret s: the credential is weak: the private key is RSA 1024 bits, under 2048') });
    const st = compose({}, f);
    expect(st.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'Deployed' });
    expect(weakCondition(st)).toMatchObject({ status: 'True', reason: 'WeakKey', message: expect.stringContaining('--weak-credentials=Refuse') });
    // The same finding again: no repeated Event, the condition unchanged.
    expect(plan(obj(st), f, NOW + 1000).event).toBeUndefined();
    expect(weakCondition(compose(st, f, NOW + 1000))).toEqual(weakCondition(st));
  });

  it('when the Secret is not read (status vouched for it), the condition is kept as it is', () => {
    const st = compose({}, facts(weak));
    expect(weakCondition(compose(st, facts(undefined, false), NOW + 1000))).toEqual(weakCondition(st));
  });

  it('a strong credential replacing it removes the condition, and emits no Event', () => {
    const st = compose({}, facts(weak));
    const strong = facts([]);
    expect(plan(obj(st), strong, NOW + 1000).event).toBeUndefined();
    expect(weakCondition(compose(st, strong, NOW + 1000))).toBeUndefined();
  });

  it('a strong credential never gets the condition', () => {
    expect(weakCondition(compose({}, facts([])))).toBeUndefined();
  });
});

/**
 * The status write of a reconcile against the real apiserver when another writer got there
 * first. The reconcile starts from a cached object whose status is stale; its PUT gets a 409;
 * it must re-read and compose the status again from the fresh object — never write what it
 * computed from the stale one (which overwrote the newer status before).
 */
import { unrestrictedSource } from '../../support/policy-fixtures.ts';
import { policyAccess } from '../../../src/controller/policy/policy-access.ts';
import { policyDigest } from '../../../src/controller/policy/policy-digest.ts';
import type { TargetSpec } from '../../../src/controller/pipeline/prepare-target.ts';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectorsByName } from '../../../src/connectors/registry.ts';
import { realClock } from '../../../src/core/clock.ts';
import { createHostPool } from '../../../src/controller/host-pool.ts';
import { createKubeClient } from '../../../src/controller/kube-client.ts';
import type { CertificateDeploymentObject } from '../../../src/controller/kube-types.ts';
import { createMetrics } from '../../../src/controller/metrics.ts';
import { reconcileDeployment } from '../../../src/controller/reconcile/reconcile.ts';
import type { ReconcilerDeps } from '../../../src/controller/reconciler-deps.ts';
import { GROUP, PLURAL, VERSION } from '../../../src/crds/names.ts';
import { specSchema } from '../../../src/crds/spec.ts';
import type { DeploymentStatus } from '../../../src/crds/status.ts';
import { connectorBlocks } from '../../../src/connectors/registry.ts';
import { mintChain, type MintedChain } from '../../support/certs/index.ts';
import { createDeployment, getDeployment, kubeClients, putTlsSecret } from '../../support/controller-harness.ts';
import { createTestNamespace } from '../../support/kube.ts';

const kubeconfig = inject('kubeconfigPath');
const { kc, core, objects } = kubeClients(kubeconfig);
const fp = (pem: string) => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
let ns = '';
let dir = '';
let chain: MintedChain;

beforeAll(async () => {
  ns = await createTestNamespace('conflict');
  dir = await mkdtemp(join(tmpdir(), 'cd-conflict-'));
  chain = await mintChain({ dnsNames: ['shop.example.test'] });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function putStatus(name: string, status: DeploymentStatus): Promise<CertificateDeploymentObject> {
  const current = await getDeployment(objects, ns, name);
  return (await objects.replaceNamespacedCustomObjectStatus({ group: GROUP, version: VERSION, plural: PLURAL, namespace: ns, name, body: { ...current, status } })) as CertificateDeploymentObject;
}

describe('status write after a conflict', () => {
  it('re-plans from the fresh object: a newer target status written by someone else survives', async () => {
    await putTlsSecret(core, ns, 'web-tls', chain.chainPem.slice(0, -1).join(''), chain.keyPem);
    const target = (n: string) => ({ name: n, file: { certificatePath: join(dir, `${n}.crt`), privateKeyPath: join(dir, `${n}.key`) } });
    await createDeployment(objects, ns, 'web', { secretRef: { name: 'web-tls' }, targets: [target('a'), target('b')] });
    const created = await getDeployment(objects, ns, 'web');
    const gen = created.metadata.generation as number;
    const fingerprint = fp(chain.leafPem);
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const { targetSpecHash } = await import('../../../src/controller/target-spec-hash.ts');
    const parsed = specSchema(connectorBlocks()).parse(created.spec) as { targets: Record<string, unknown>[] };
    const target1 = parsed.targets[1] as TargetSpec;
    const hashB = targetSpecHash({ target: target1, policy: policyDigest(connectorsByName, target1, policyAccess(unrestrictedSource(), ns, { ambientCloudIdentity: false })) });

    // What the cache holds: b failed a moment ago and is backing off; a never ran.
    const stale = await putStatus('web', {
      observedGeneration: gen, fingerprint,
      targets: [{ name: 'b', ready: false, observedGeneration: gen, specHash: hashB, attempts: 1, lastAttemptAt: now, reason: 'TargetUnavailable', message: 'edge down' }],
    });
    // Someone else (another replica) then deployed b: the stored status is newer than the cache.
    await putStatus('web', {
      observedGeneration: gen, fingerprint,
      targets: [{ name: 'b', ready: true, fingerprint, observedGeneration: gen, specHash: hashB, attempts: 0, lastAttemptAt: now, deployedAt: now, reason: 'Deployed', message: 'deployed by the other writer' }],
    });

    const kube = createKubeClient(kc);
    const deps: ReconcilerDeps = {
      kube, registry: connectorsByName, events: { event: () => undefined }, metrics: createMetrics({ defaultMetrics: false }),
      policy: { ambientCloudIdentity: false }, policySource: unrestrictedSource(), hosts: createHostPool(kube), clock: realClock,
      specSchema: specSchema(connectorBlocks()), deployTimeoutMs: 30_000,
    };
    const out = await reconcileDeployment(stale, deps, new AbortController().signal);
    expect(out.invocations).toBe(1); // a ran; b was waiting out its backoff in the stale view
    expect(out.statusWritten).toBe(true);

    const stored = (await getDeployment(objects, ns, 'web')).status as DeploymentStatus;
    const b = stored.targets?.find((t) => t.name === 'b');
    expect(b).toMatchObject({ ready: true, message: 'deployed by the other writer' });
    expect(stored.targets?.find((t) => t.name === 'a')).toMatchObject({ ready: true, fingerprint });
    expect(stored.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'Deployed' });
  });
});

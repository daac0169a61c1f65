/**
 * End to end: a CertificateDeployment with an `f5BigIp` target, reconciled by the real
 * controller against the real kube-apiserver, deploying to the fake BIG-IP (the documented
 * iControl REST subset; NOT a real BIG-IP). The controller reads the credentials Secret,
 * deploys through the sandbox, verifies by a TLS handshake to the fake's virtual server, and
 * records the profile path as remoteId. Rotation swaps and cleans up, a restart costs nothing
 * at the appliance, a refused commit leaves the old certificate serving, and deletionPolicy
 * Delete leaves the profile (it needs a certificate) but nothing stale of this target.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { objectNames } from '../../../../src/connectors/f5-big-ip/object-names.ts';
import { keyMaterialLeaks, mintChain, type MintedChain } from '../../../support/certs/index.ts';
import { createDeployment, eventually, kubeClients, putTlsSecret, readyOf, startController, type RunningController, waitDeploymentGone } from '../../../support/controller-harness.ts';
import { startF5Fake, type F5Fake } from '../../../support/f5-fake/index.ts';
import { createTestNamespace } from '../../../support/kube.ts';

const kubeconfig = inject('kubeconfigPath');
const { core, objects } = kubeClients(kubeconfig);
const fp = (pem: string): string => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
const SNI = 'shop.example.test';
let ns = '';
let fake: F5Fake;
let ctl: RunningController;
let chain: MintedChain;

const target = () => ({
  name: 'bigip',
  f5BigIp: { address: fake.address, clientSslProfile: 'shop-clientssl', credentialsRef: { name: 'bigip-credentials' }, caBundle: fake.caPem },
  verify: { endpoints: [{ address: fake.virtualAddress, serverName: SNI }], timeoutSeconds: 30 },
});

async function waitFor(name: string, pred: (r: NonNullable<Awaited<ReturnType<typeof readyOf>>>) => boolean, what: string) {
  return eventually(async () => {
    const r = await readyOf(objects, ns, name);
    return r && pred(r) ? r : undefined;
  }, 60_000, what);
}

const ownedObjects = (uid: string): string[] => {
  const prefix = `/Common/${objectNames('certdeployer', `${uid}/bigip`, '0'.repeat(64)).ownerPrefix}`;
  return [...fake.state.certs.keys(), ...fake.state.keys.keys()].filter((p) => p.startsWith(prefix)).sort();
};

beforeAll(async () => {
  ns = await createTestNamespace('f5');
  fake = await startF5Fake();
  fake.createProfile('shop-clientssl');
  fake.serve(SNI, '/Common/shop-clientssl');
  chain = await mintChain({ dnsNames: [SNI], name: 'F5 E2E' });
  await core.createNamespacedSecret({
    namespace: ns,
    body: { metadata: { name: 'bigip-credentials' }, type: 'Opaque', stringData: { username: 'admin', password: 'admin-password' } },
  });
  ctl = startController(kubeconfig, { namespaces: [ns] });
}, 120_000);

afterAll(async () => {
  await ctl?.stop();
  await fake?.stop();
});

describe('f5BigIp end to end (fake BIG-IP)', () => {
  let uid = '';

  it('deploys, verifies by handshake, and records the profile as remoteId', async () => {
    await putTlsSecret(core, ns, 'shop-tls', chain.chainPem.slice(0, -1).join(''), chain.keyPem);
    await createDeployment(objects, ns, 'shop', { secretRef: { name: 'shop-tls' }, deletionPolicy: 'Delete', targets: [target()] });
    const r = await waitFor('shop', (x) => x.ready === 'True', 'shop Ready');
    uid = (r.object.metadata as { uid?: string }).uid ?? '';
    expect(r.reason).toBe('Deployed');
    expect(r.status.targets?.[0]).toMatchObject({ name: 'bigip', ready: true, fingerprint: fp(chain.leafPem), remoteId: '/Common/shop-clientssl' });
    expect(r.status.targets?.[0]?.verifiedAt).toBeDefined();
    expect(await fake.servedFingerprint(SNI)).toBe(fp(chain.leafPem));
    expect(ownedObjects(uid)).toHaveLength(3);
    expect(fake.state.tokens.size).toBe(0);
  });

  it('a rotation swaps to new objects and removes the previous ones', async () => {
    const before = ownedObjects(uid);
    const next = await chain.issueLeaf({ dnsNames: [SNI] });
    await putTlsSecret(core, ns, 'shop-tls', next.chainPem.slice(0, -1).join(''), next.keyPem);
    const r = await waitFor('shop', (x) => x.ready === 'True' && x.status.fingerprint === fp(next.leafPem), 'rotation');
    expect(r.status.targets?.[0]?.remoteId).toBe('/Common/shop-clientssl');
    expect(await fake.servedFingerprint(SNI)).toBe(fp(next.leafPem));
    const after = ownedObjects(uid);
    expect(after).toHaveLength(3);
    expect(after.some((p) => before.includes(p))).toBe(false);
  });

  it('a controller restart over a Ready deployment sends nothing to the appliance', async () => {
    await ctl.stop();
    const from = fake.requests.length;
    ctl = startController(kubeconfig, { namespaces: [ns] });
    await eventually(async () => (ctl.counts.reconciles >= 1 ? true : undefined), 30_000, 'a reconcile after restart');
    expect(ctl.counts.invocations).toBe(0);
    expect(fake.requests.slice(from)).toEqual([]);
  });

  it('a refused commit keeps the old certificate serving, reports DeployFailed without the key, and the next rotation deploys', async () => {
    const servedBefore = await fake.servedFingerprint(SNI);
    const objectsBefore = ownedObjects(uid);
    fake.setCommitMode('fail');
    const bad = await chain.issueLeaf({ dnsNames: [SNI] });
    await putTlsSecret(core, ns, 'shop-tls', bad.chainPem.slice(0, -1).join(''), bad.keyPem);
    const r = await waitFor('shop', (x) => x.ready === 'False' && x.reason === 'DeployFailed', 'DeployFailed');
    const t = r.status.targets?.[0];
    expect(t?.message).toMatch(/commit transaction .*HTTP 400/);
    expect(keyMaterialLeaks([JSON.stringify(r.status), ...ctl.events.map((e) => e.note)], [bad.keyPem])).toEqual([]);
    expect(await fake.servedFingerprint(SNI)).toBe(servedBefore);
    expect(ownedObjects(uid)).toEqual(objectsBefore);
    fake.setCommitMode('ok');
    const good = await chain.issueLeaf({ dnsNames: [SNI] });
    await putTlsSecret(core, ns, 'shop-tls', good.chainPem.slice(0, -1).join(''), good.keyPem);
    await waitFor('shop', (x) => x.ready === 'True' && x.status.fingerprint === fp(good.leafPem), 'recovery');
    expect(await fake.servedFingerprint(SNI)).toBe(fp(good.leafPem));
  });

  it('deletionPolicy Delete: the object goes, the profile keeps its certificate, nothing stale of this target remains', async () => {
    const inUse = ownedObjects(uid);
    const leftover = `${inUse[0]?.replace(/[0-9a-f]{12}(-chain)?\.(crt|key)$/, '')}000000000000.crt`;
    fake.state.certs.set(leftover, { fullPath: leftover, pems: fake.state.certs.get(inUse.find((p) => p.endsWith('.crt')) as string)?.pems ?? [] });
    await objects.deleteNamespacedCustomObject({ group: 'certdeployer.io', version: 'v1alpha1', plural: 'certificatedeployments', namespace: ns, name: 'shop' });
    await waitDeploymentGone(objects, ns, 'shop', 60_000);
    expect(fake.state.certs.has(leftover)).toBe(false);
    expect(ownedObjects(uid)).toEqual(inUse);
    expect(await fake.servedFingerprint(SNI)).not.toBeNull();
    expect(fake.state.tokens.size).toBe(0);
  });
});

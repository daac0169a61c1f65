/**
 * End to end on the real control plane: CertificateDeployments with `gcpCertificateManager`
 * targets drive the in-process controller, which deploys through the real client library to
 * the fake Certificate Manager API (test/support/gcp-fake; no emulator exists). Covers the
 * first deploy (status keeps the resource name), a Secret rotation (updated in place), a
 * controller restart (no mutating request), a certificate cert-deployer did not create
 * (refused), workload identity refused by policy, and deletionPolicy: Delete. The operator
 * policy allows exactly the fake's API and token addresses.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dialAddressOf } from '../../../../src/connectors/gcp-certificate-manager/grant.ts';
import { OWNER_LABEL_KEY, ownerLabelValue } from '../../../../src/connectors/gcp-certificate-manager/labels.ts';
import { mintChain, type MintedChain } from '../../../support/certs/index.ts';
import { createDeployment, eventually, getDeployment, kubeClients, putTlsSecret, readyOf, startController, type RunningController, waitDeploymentGone } from '../../../support/controller-harness.ts';
import { GcpFake } from '../../../support/gcp-fake/index.ts';
import { createTestNamespace } from '../../../support/kube.ts';

const kubeconfig = inject('kubeconfigPath');
const { core, objects } = kubeClients(kubeconfig);
const fp = (pem: string): string => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
const PROJECT = 'e2e-project';
const nameOf = (id: string): string => `projects/${PROJECT}/locations/global/certificates/${id}`;

let ns = '';
let fake: GcpFake;
let chain: MintedChain;
let ctl: RunningController;

function startCtl(): RunningController {
  return startController(kubeconfig, {
    namespaces: [ns],
    policy: { hosts: [dialAddressOf(fake.apiUrl), dialAddressOf(fake.tokenUrl)], pathRoots: [], commands: [], ambientCloudIdentity: false },
  });
}

const target = (name: string, certificateId: string, extra: Record<string, unknown> = {}) => ({
  name,
  gcpCertificateManager: { project: PROJECT, certificateId, endpoint: fake.apiUrl, tokenUrl: fake.tokenUrl, credentialsRef: { name: 'gcp-sa' }, labels: { app: 'shop' }, ...extra },
});

async function waitFor(name: string, want: (r: NonNullable<Awaited<ReturnType<typeof readyOf>>>) => boolean, what: string) {
  return eventually(async () => {
    const r = await readyOf(objects, ns, name);
    return r !== undefined && want(r) ? r : undefined;
  }, 60_000, what);
}

beforeAll(async () => {
  ns = await createTestNamespace('gcpcm');
  fake = await GcpFake.start({ pollsUntilDone: 1 });
  const keyJson = fake.oauth.createServiceAccount('cert-deployer@e2e-project.iam.gserviceaccount.com', PROJECT);
  await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'gcp-sa' }, type: 'Opaque', stringData: { 'key.json': keyJson } } });
  chain = await mintChain({ dnsNames: ['shop.example.test'] });
  ctl = startCtl();
});

afterAll(async () => {
  await ctl?.stop();
  await fake?.close();
});

describe('gcpCertificateManager end to end', () => {
  it('deploys, rotates in place, costs no mutation after a restart, and deletes on deletion', async () => {
    await putTlsSecret(core, ns, 'shop-tls', chain.chainPem.slice(0, -1).join(''), chain.keyPem);
    await createDeployment(objects, ns, 'shop', { secretRef: { name: 'shop-tls' }, deletionPolicy: 'Delete', targets: [target('lb', 'shop-cert')] });
    const first = await waitFor('shop', (r) => r.ready === 'True' && r.status.fingerprint === fp(chain.leafPem), 'shop Ready');
    expect(first.status.targets?.[0]).toMatchObject({ name: 'lb', ready: true, remoteId: nameOf('shop-cert'), fingerprint: fp(chain.leafPem) });
    const uid = (first.object.metadata as { uid?: string }).uid ?? '';
    const stored = fake.certificates.get(nameOf('shop-cert'));
    expect(stored?.labels).toEqual({ app: 'shop', [OWNER_LABEL_KEY]: ownerLabelValue(`${uid}/lb`) });
    expect(new X509Certificate(stored?.pemCertificate ?? '').fingerprint256.replaceAll(':', '').toLowerCase()).toBe(fp(chain.leafPem));

    const next = await chain.issueLeaf({ dnsNames: ['shop.example.test'] });
    await putTlsSecret(core, ns, 'shop-tls', next.chainPem.slice(0, -1).join(''), next.keyPem);
    await waitFor('shop', (r) => r.ready === 'True' && r.status.fingerprint === fp(next.leafPem), 'shop Ready after rotation');
    expect(fp(fake.certificates.get(nameOf('shop-cert'))?.pemCertificate ?? '')).toBe(fp(next.leafPem));
    expect([...fake.certificates.keys()].filter((n) => n.endsWith('/shop-cert'))).toHaveLength(1);
    const creates = fake.mutations().filter((r) => r.method === 'POST');
    const patches = fake.mutations().filter((r) => r.method === 'PATCH');
    expect([creates.length, patches.length]).toEqual([1, 1]);

    await ctl.stop();
    const before = fake.mutations().length;
    ctl = startCtl();
    await eventually(async () => (ctl.counts.reconciles > 0 ? true : undefined), 30_000, 'a reconcile after the restart');
    expect((await readyOf(objects, ns, 'shop'))?.ready).toBe('True');
    expect(fake.mutations().length).toBe(before);

    // A crash before the status write: the status forgets the target and a new controller
    // starts. It deploys again; the connector finds its certificate by name and owner label and
    // changes nothing.
    await ctl.stop();
    const cur = await getDeployment(objects, ns, 'shop');
    await objects.replaceNamespacedCustomObjectStatus({
      group: 'certdeployer.io', version: 'v1alpha1', plural: 'certificatedeployments', namespace: ns, name: 'shop',
      body: { ...cur, status: { observedGeneration: cur.metadata.generation, conditions: [] } },
    });
    ctl = startCtl();
    await waitFor('shop', (r) => r.ready === 'True' && r.status.targets?.[0]?.remoteId === nameOf('shop-cert'), 'shop Ready again after the lost status');
    expect(ctl.counts.invocations).toBeGreaterThan(0);
    expect(fake.mutations().length).toBe(before);
    expect([...fake.certificates.keys()].filter((n) => n.endsWith('/shop-cert'))).toHaveLength(1);

    await objects.deleteNamespacedCustomObject({ group: 'certdeployer.io', version: 'v1alpha1', plural: 'certificatedeployments', namespace: ns, name: 'shop' });
    await waitDeploymentGone(objects, ns, 'shop', 60_000);
    expect(fake.certificates.has(nameOf('shop-cert'))).toBe(false);
  });

  it('a certificate cert-deployer did not create is refused (DeployFailed) and left alone', async () => {
    const at = new Date().toISOString();
    fake.seed({ name: nameOf('hand-made'), description: 'uploaded by hand', labels: { team: 'ops' }, pemCertificate: chain.leafPem, pemPrivateKey: chain.keyPem, createTime: at, updateTime: at, expireTime: at, sanDnsnames: [] });
    const next = await chain.issueLeaf({ dnsNames: ['shop.example.test'] });
    await putTlsSecret(core, ns, 'hand-tls', next.leafPem, next.keyPem);
    await createDeployment(objects, ns, 'hand', { secretRef: { name: 'hand-tls' }, targets: [target('lb', 'hand-made')] });
    const r = await waitFor('hand', (x) => x.ready === 'False' && x.reason === 'DeployFailed', 'hand DeployFailed');
    expect(r.status.targets?.[0]?.message).toMatch(/refusing to change it/);
    expect(fake.certificates.get(nameOf('hand-made'))?.pemCertificate).toBe(chain.leafPem);
  });

  it('without credentialsRef, workload identity is refused while the policy forbids ambient identity', async () => {
    await putTlsSecret(core, ns, 'wi-tls', chain.leafPem, chain.keyPem);
    await createDeployment(objects, ns, 'wi', {
      secretRef: { name: 'wi-tls' },
      targets: [{ name: 'lb', gcpCertificateManager: { project: PROJECT, certificateId: 'wi-cert', endpoint: fake.apiUrl, metadataServerUrl: fake.tokenUrl.replace('/token', '') } }],
    });
    const r = await waitFor('wi', (x) => x.ready === 'False' && x.reason === 'DeployFailed', 'wi DeployFailed');
    expect(r.status.targets?.[0]?.message).toMatch(/ambientCloudIdentity/);
    expect(fake.certificates.has(nameOf('wi-cert'))).toBe(false);
  });
});

/**
 * End to end on the real control plane: CertificateDeployments with `azureKeyVault` targets
 * drive the in-process controller, which reads the service principal Secret
 * (`credentialsRef`), gets a token from the fake Entra and imports into the fake Key Vault
 * (test/support/azure-key-vault; Lowkey Vault is not obtainable here), all through the
 * sandbox. Covers the first import (status keeps the versionless id), a Secret rotation (a
 * new version), a controller restart (no vault write), a certificate another owner made
 * (refused), workload identity refused by policy, and deletionPolicy: Delete. The operator
 * policy allows exactly the vault and authority addresses.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dialAddressOf, OWNER_TAG } from '../../../../src/connectors/azure-key-vault/index.ts';
import { mintChain, type MintedChain } from '../../../support/certs/index.ts';
import { startAzureFakes, type AzureFakes } from '../../../support/azure-key-vault/index.ts';
import { createDeployment, eventually, kubeClients, putTlsSecret, readyOf, startController, type RunningController, waitDeploymentGone } from '../../../support/controller-harness.ts';
import { createTestNamespace } from '../../../support/kube.ts';

const kubeconfig = inject('kubeconfigPath');
const { core, objects } = kubeClients(kubeconfig);
const fp = (pem: string): string => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
const fpDer = (der: Buffer): string => createHash('sha256').update(der).digest('hex');

let ns = '';
let fakes: AzureFakes;
let chain: MintedChain;
let ctl: RunningController;

function startCtl(): RunningController {
  return startController(kubeconfig, {
    namespaces: [ns],
    policy: { hosts: [dialAddressOf(fakes.vault.url), dialAddressOf(fakes.entra.url)], pathRoots: [], commands: [], ambientCloudIdentity: false },
  });
}

const block = (certificateName: string, extra: Record<string, unknown> = {}) => ({
  vaultUrl: fakes.vault.url,
  certificateName,
  credentialsRef: { name: 'azure-sp' },
  authorityHost: fakes.entra.url,
  caBundle: fakes.caPem,
  disableChallengeResourceVerification: true,
  tags: { app: 'shop' },
  ...extra,
});

async function waitFor(name: string, want: (r: NonNullable<Awaited<ReturnType<typeof readyOf>>>) => boolean, what: string) {
  return eventually(async () => {
    const r = await readyOf(objects, ns, name);
    return r !== undefined && want(r) ? r : undefined;
  }, 60_000, what);
}

const latestOf = (name: string) => fakes.vault.certificates.get(name)?.versions.at(-1);

beforeAll(async () => {
  ns = await createTestNamespace('akv');
  fakes = await startAzureFakes();
  await core.createNamespacedSecret({
    namespace: ns,
    body: { metadata: { name: 'azure-sp' }, type: 'Opaque', stringData: { 'tenant-id': fakes.app.tenantId, 'client-id': fakes.app.clientId, 'client-secret': fakes.app.clientSecret } },
  });
  chain = await mintChain({ dnsNames: ['shop.example.test'] });
  ctl = startCtl();
});

afterAll(async () => {
  await ctl?.stop();
  await fakes?.close();
});

describe('azureKeyVault end to end', () => {
  it('imports, rotates as a new version, costs no vault write after a restart, and deletes on deletion', async () => {
    await putTlsSecret(core, ns, 'shop-tls', chain.chainPem.slice(0, -1).join(''), chain.keyPem);
    await createDeployment(objects, ns, 'shop', { secretRef: { name: 'shop-tls' }, deletionPolicy: 'Delete', targets: [{ name: 'agw', azureKeyVault: block('shop-cert') }] });
    const first = await waitFor('shop', (r) => r.ready === 'True' && r.status.fingerprint === fp(chain.leafPem), 'shop Ready');
    expect(first.status.targets?.[0]).toMatchObject({ name: 'agw', ready: true, remoteId: `${fakes.vault.url}/certificates/shop-cert`, fingerprint: fp(chain.leafPem) });
    const uid = (first.object.metadata as { uid?: string }).uid ?? '';
    expect(latestOf('shop-cert')?.tags).toEqual({ app: 'shop', [OWNER_TAG]: `${uid}/agw` });
    expect(latestOf('shop-cert')?.chainDer.map(fpDer)).toEqual(chain.chainPem.slice(0, -1).map(fp));

    const next = await chain.issueLeaf({ dnsNames: ['shop.example.test'] });
    await putTlsSecret(core, ns, 'shop-tls', next.chainPem.slice(0, -1).join(''), next.keyPem);
    await waitFor('shop', (r) => r.ready === 'True' && r.status.fingerprint === fp(next.leafPem), 'shop Ready after rotation');
    expect(fakes.vault.certificates.get('shop-cert')?.versions.map((v) => fpDer(v.chainDer[0] as Buffer))).toEqual([fp(chain.leafPem), fp(next.leafPem)]);
    expect(fakes.vault.mutations('shop-cert').map((r) => r.method)).toEqual(['POST', 'POST']);

    await ctl.stop();
    const before = fakes.vault.attemptedMutations().length;
    ctl = startCtl();
    await eventually(async () => (ctl.counts.reconciles > 0 ? true : undefined), 30_000, 'a reconcile after the restart');
    expect((await readyOf(objects, ns, 'shop'))?.ready).toBe('True');
    expect(fakes.vault.attemptedMutations().length).toBe(before);

    await objects.deleteNamespacedCustomObject({ group: 'certdeployer.io', version: 'v1alpha1', plural: 'certificatedeployments', namespace: ns, name: 'shop' });
    await waitDeploymentGone(objects, ns, 'shop', 60_000);
    expect(fakes.vault.certificates.get('shop-cert')?.deletedOn).not.toBeNull();
  });

  it('a certificate of the same name made by another owner is refused (DeployFailed) and left alone', async () => {
    await putTlsSecret(core, ns, 'theirs-tls', chain.leafPem, chain.keyPem);
    await createDeployment(objects, ns, 'theirs', { secretRef: { name: 'theirs-tls' }, targets: [{ name: 'agw', azureKeyVault: block('shared-cert') }] });
    await waitFor('theirs', (x) => x.ready === 'True', 'theirs Ready');
    const next = await chain.issueLeaf({ dnsNames: ['shop.example.test'] });
    await putTlsSecret(core, ns, 'mine-tls', next.leafPem, next.keyPem);
    await createDeployment(objects, ns, 'mine', { secretRef: { name: 'mine-tls' }, targets: [{ name: 'agw', azureKeyVault: block('shared-cert') }] });
    const r = await waitFor('mine', (x) => x.ready === 'False' && x.reason === 'DeployFailed', 'mine DeployFailed');
    expect(r.status.targets?.[0]?.message).toMatch(/refusing to add a version/);
    expect(fakes.vault.certificates.get('shared-cert')?.versions).toHaveLength(1);
  });

  it('without credentialsRef, workload identity is refused while the policy forbids ambient identity', async () => {
    await putTlsSecret(core, ns, 'wi-tls', chain.leafPem, chain.keyPem);
    const { credentialsRef: _omit, ...wiBlock } = block('wi-cert');
    await createDeployment(objects, ns, 'wi', { secretRef: { name: 'wi-tls' }, targets: [{ name: 'agw', azureKeyVault: wiBlock }] });
    const r = await waitFor('wi', (x) => x.ready === 'False' && x.reason === 'DeployFailed', 'wi DeployFailed');
    expect(r.status.targets?.[0]?.message).toMatch(/ambientCloudIdentity/);
    expect(fakes.vault.certificates.has('wi-cert')).toBe(false);
  });
});

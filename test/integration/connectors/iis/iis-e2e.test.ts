/**
 * End to end on the real control plane: CertificateDeployments with `iis` targets drive the
 * in-process controller, which talks WS-Management over HTTPS (Basic auth, the fake's test CA
 * in `caBundle`) to the WinRM fake through the sandbox. The operator policy allows exactly the
 * fake's address. Covers the first deploy (status keeps the SHA-1 thumbprint as remoteId),
 * a rotation (old certificate removed, it was ours and unbound), a controller restart and a
 * lost status (no host mutation), wrong credentials next to a hostile site name (one target
 * fails terminally, the other is Ready), and deletionPolicy: Delete (our unbound certificate
 * removed, a foreign one untouched). VERIFIED ONLY AGAINST THE FAKE, never a real IIS.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GROUP, PLURAL, VERSION } from '../../../../src/crds/names.ts';
import { mintChain, type MintedChain } from '../../../support/certs/index.ts';
import { createDeployment, eventually, getDeployment, kubeClients, putTlsSecret, readyOf, startController, type RunningController, waitDeploymentGone } from '../../../support/controller-harness.ts';
import { createTestNamespace } from '../../../support/kube.ts';
import { startWinrmFake, type WinrmFake } from '../../../support/winrm-fake/index.ts';

const kubeconfig = inject('kubeconfigPath');
const { core, objects } = kubeClients(kubeconfig);
const fp = (pem: string): string => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
const sha1 = (pem: string): string => new X509Certificate(pem).fingerprint.replaceAll(':', '');
const crd = { group: GROUP, version: VERSION, plural: PLURAL };
const SITE = 'Default Web Site';
const HOSTILE_SITE = "Shop’s site'; $(Stop-Computer) ‘";

let ns = '';
let fake: WinrmFake;
let chain: MintedChain;
let ctl: RunningController;

function startCtl(): RunningController {
  return startController(kubeconfig, { namespaces: [ns], policy: { hosts: [fake.address], pathRoots: [], commands: [], ambientCloudIdentity: false } });
}

const target = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  iis: { address: fake.address, credentialsRef: { name: 'winrm' }, caBundle: fake.caPem, siteName: SITE, ...extra },
});

async function waitFor(name: string, want: (r: NonNullable<Awaited<ReturnType<typeof readyOf>>>) => boolean, what: string) {
  return eventually(async () => {
    const r = await readyOf(objects, ns, name);
    return r !== undefined && want(r) ? r : undefined;
  }, 90_000, what);
}

async function putCredentials(name: string, username: string, password: string): Promise<void> {
  await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name }, type: 'Opaque', stringData: { username, password } } });
}

const boundTo = (site: string): string | undefined => fake.host.site(site)?.bindings.find((b) => b.protocol === 'https')?.certificateHash;

beforeAll(async () => {
  fake = await startWinrmFake();
  fake.host.addSite(SITE, ['*:443:']);
  fake.host.addSite(HOSTILE_SITE, ['*:8443:']);
  ns = await createTestNamespace('iis');
  await putCredentials('winrm', fake.credentials.username, fake.credentials.password);
  await putCredentials('winrm-wrong', fake.credentials.username, 'Not-The-Password-42');
  chain = await mintChain({ dnsNames: ['shop.example.test'] });
  ctl = startCtl();
}, 300_000);

afterAll(async () => {
  await ctl?.stop();
  const violations = [...(fake?.violations ?? [])];
  await fake?.close();
  expect(violations).toEqual([]);
});

describe('iis end to end (WinRM fake)', () => {
  it('deploys, rotates, survives a restart and a lost status without touching the host, and cleans up on deletion', async () => {
    await putTlsSecret(core, ns, 'shop-tls', chain.chainPem.slice(0, -1).join(''), chain.keyPem);
    await createDeployment(objects, ns, 'shop', { secretRef: { name: 'shop-tls' }, deletionPolicy: 'Delete', targets: [target('web')] });
    const first = await waitFor('shop', (r) => r.ready === 'True' && r.status.fingerprint === fp(chain.leafPem), 'shop Ready');
    expect(first.status.targets?.[0]?.remoteId).toBe(sha1(chain.leafPem));
    expect(boundTo(SITE)).toBe(sha1(chain.leafPem));
    const uid = (first.object.metadata as { uid?: string }).uid ?? '';
    expect(fake.host.store.get(sha1(chain.leafPem))?.friendlyName).toBe(`cert-deployer ${uid}/web`);

    // Rotation: the new certificate is bound, the old one (ours, now unbound) removed.
    const next = await chain.issueLeaf({ dnsNames: ['shop.example.test'] });
    await putTlsSecret(core, ns, 'shop-tls', next.chainPem.slice(0, -1).join(''), next.keyPem);
    const rotated = await waitFor('shop', (r) => r.ready === 'True' && r.status.fingerprint === fp(next.leafPem), 'shop Ready after rotation');
    expect(rotated.status.targets?.[0]?.remoteId).toBe(sha1(next.leafPem));
    expect(boundTo(SITE)).toBe(sha1(next.leafPem));
    expect([...fake.host.store.keys()]).toEqual([sha1(next.leafPem)]);

    // Restart, then a lost status: the deploy replays, finds the thumbprint bound, changes nothing.
    await ctl.stop();
    const mutations = fake.host.mutations;
    const cur = await getDeployment(objects, ns, 'shop');
    await objects.replaceNamespacedCustomObjectStatus({ ...crd, namespace: ns, name: 'shop', body: { ...cur, status: { observedGeneration: cur.metadata.generation, conditions: [] } } });
    ctl = startCtl();
    const again = await waitFor('shop', (r) => r.ready === 'True' && r.status.targets?.[0]?.remoteId === sha1(next.leafPem), 'shop Ready again after losing its status');
    expect(again.status.targets?.[0]?.message).toMatch(/already uses certificate/);
    expect(fake.host.mutations).toBe(mutations);

    // An administrator moves the site to a certificate of their own; deletion removes ours only.
    const foreign = await mintChain({ name: 'Foreign' });
    const foreignThumb = sha1(foreign.leafPem);
    fake.host.store.set(foreignThumb, { thumbprint: foreignThumb, friendlyName: 'installed by hand', hasPrivateKey: true, keyMatches: true, chain: [fp(foreign.leafPem)], keyPem: '', importPassword: '' });
    (fake.host.site(SITE)?.bindings[1] as { certificateHash: string }).certificateHash = foreignThumb;
    await objects.deleteNamespacedCustomObject({ ...crd, namespace: ns, name: 'shop' });
    await waitDeploymentGone(objects, ns, 'shop', 90_000);
    expect([...fake.host.store.keys()]).toEqual([foreignThumb]);
    expect(boundTo(SITE)).toBe(foreignThumb);
  });

  it('wrong credentials fail one target terminally (no password in status) while a hostile site name deploys', async () => {
    await putTlsSecret(core, ns, 'two-tls', chain.chainPem.slice(0, -1).join(''), chain.keyPem);
    await createDeployment(objects, ns, 'two', {
      secretRef: { name: 'two-tls' },
      targets: [target('hostile', { siteName: HOSTILE_SITE }), target('denied', { credentialsRef: { name: 'winrm-wrong' } })],
    });
    const r = await waitFor('two', (x) => x.ready === 'False' && (x.status.targets?.length ?? 0) === 2, 'two settled');
    const hostile = r.status.targets?.find((t) => t.name === 'hostile');
    const denied = r.status.targets?.find((t) => t.name === 'denied');
    expect(hostile).toMatchObject({ ready: true, remoteId: sha1(chain.leafPem) });
    expect(boundTo(HOSTILE_SITE)).toBe(sha1(chain.leafPem));
    expect(denied).toMatchObject({ ready: false, reason: 'DeployFailed' });
    expect(denied?.message).toMatch(/401/);
    expect(JSON.stringify(r.status)).not.toContain('Not-The-Password-42');
    expect(fake.requests.unauthorized).toBeGreaterThan(0);
  });
});

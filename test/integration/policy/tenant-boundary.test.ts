/**
 * The tenant boundary on the real control plane, with the real controller and two real sshd
 * servers (tenant A's edge and tenant B's edge):
 *
 * - two tenant namespaces, two DeploymentPolicies (A by name, B by label): A's deployment that
 *   names B's SSH host, B's path root or B's credentials Secret gets PolicyDenied and nothing
 *   lands on B's side; B's own deployment works and its status names B's policy;
 * - a namespace no policy selects: nothing runs, the reason says which policy could allow it;
 * - `host: local` with a `/bin/sh -c 'touch MARKER'` reload under the chart's default (no
 *   policy, default --policy flag): refused, the marker never exists;
 * - policy changes re-evaluate: adding a policy makes a denied deployment deploy; narrowing it
 *   stops the next deploy (PolicyDenied) and leaves the deployed files in place.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mintChain, type MintedChain } from '../../support/certs/index.ts';
import { createDeployment, kubeClients, putTlsSecret, startController, type RunningController } from '../../support/controller-harness.ts';
import { deletePolicy, putPolicy } from '../../support/policy-fixtures.ts';
import { startSshd, type Sshd } from '../../../packages/connector-sdk/src/testing/sshd.ts';
import { filesBelow, labelledNamespace, targetReason } from './policy-test-kit.ts';

const kubeconfig = inject('kubeconfigPath');
const { core, objects } = kubeClients(kubeconfig);
let ctl: RunningController;
let sshA: Sshd;
let sshB: Sshd;
let chain: MintedChain;
let dir = '';
let nsA = '';
let nsB = '';
let nsNone = '';
let nsLater = '';
const policyA = `tenant-a-${process.pid}`;
const policyB = `tenant-b-${process.pid}`;
const policyLater = `later-${process.pid}`;
const rootA = () => join(dir, 'a');
const rootB = () => join(dir, 'b');

const sshHost = (s: Sshd, creds: string, over: Record<string, unknown> = {}) => ({ ssh: { address: s.address, user: s.user, credentialsRef: { name: creds }, hostKey: s.hostKey.publicLine, ...over } });
const fileTarget = (name: string, host: unknown, root: string, extra: Record<string, unknown> = {}) => ({ name, file: { host, certificatePath: join(root, `${name}.crt`), privateKeyPath: join(root, `${name}.key`), ...extra } });
const tls = { secretRef: { name: 'tls' } };

async function sshSecret(ns: string, name: string, s: Sshd): Promise<void> {
  await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name }, type: 'kubernetes.io/ssh-auth', stringData: { 'ssh-privatekey': s.clientKey.privateKey } } });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cd-tenant-'));
  await mkdir(rootA(), { recursive: true });
  await mkdir(rootB(), { recursive: true });
  chain = await mintChain({ name: 'Tenant' });
  [sshA, sshB] = await Promise.all([startSshd(), startSshd()]);
  nsA = await labelledNamespace(core, 'tenant-a', { team: 'a' });
  nsB = await labelledNamespace(core, 'tenant-b', { team: 'b' });
  nsNone = await labelledNamespace(core, 'no-policy');
  nsLater = await labelledNamespace(core, 'later');
  for (const ns of [nsA, nsB, nsNone, nsLater]) await putTlsSecret(core, ns, 'tls', chain.leafPem, chain.keyPem);
  await sshSecret(nsA, 'a-ssh', sshA);
  await sshSecret(nsA, 'b-ssh', sshB); // A holds a copy of B's key: policy must still refuse it
  await sshSecret(nsB, 'b-ssh', sshB);
  await putPolicy(objects, policyA, {
    namespaces: [nsA],
    hosts: [{ ssh: { address: sshA.address, hostKeys: [sshA.hostKey.publicLine] }, pathRoots: [rootA()] }],
    credentialSecrets: ['a-ssh'],
  });
  await putPolicy(objects, policyB, {
    namespaceSelector: { matchLabels: { team: 'b' }, matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [nsB] }] },
    hosts: [{ ssh: { address: sshB.address, hostKeys: [sshB.hostKey.publicLine] }, pathRoots: [rootB()] }],
    credentialSecrets: ['b-ssh'],
  });
  // The chart's defaults: no policy at all for these namespaces, the default --policy flag.
  ctl = startController(kubeconfig, { namespaces: [nsA, nsB, nsNone, nsLater] }, { allowAll: false });
}, 120_000);

afterAll(async () => {
  await ctl?.stop();
  for (const p of [policyA, policyB, policyLater]) await deletePolicy(objects, p);
  await Promise.all([sshA?.stop(), sshB?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

describe('two tenants, two policies', () => {
  it('B deploys to its own host; status names the policy that applied', async () => {
    await createDeployment(objects, nsB, 'web', { ...tls, targets: [fileTarget('edge', sshHost(sshB, 'b-ssh'), rootB())] });
    const t = await targetReason(objects, nsB, 'web', 'edge', (x) => x.ready);
    expect(t).toMatchObject({ reason: 'Deployed', policies: [policyB] });
    expect(await readFile(join(rootB(), 'edge.key'), 'utf8')).toBe(chain.keyPem);
  });

  it.each([
    ['names B\'s SSH host', () => fileTarget('x1', sshHost(sshB, 'a-ssh'), rootA()), /allows host ssh 127\.0\.0\.1:\d+/],
    ['names B\'s path root on its own host', () => fileTarget('x2', sshHost(sshA, 'a-ssh'), rootB()), /write .*\/b\/x2\.crt/],
    ['names B\'s credentials Secret', () => fileTarget('x3', sshHost(sshA, 'b-ssh'), rootA()), /credentials Secret b-ssh/],
    ['names B\'s host with B\'s key and B\'s Secret', () => fileTarget('x4', sshHost(sshB, 'b-ssh'), rootB()), /allows host ssh/],
  ])('A\'s deployment that %s gets PolicyDenied and nothing lands on B\'s side', async (_n, target, message) => {
    const before = await filesBelow(rootB());
    const t = target();
    await createDeployment(objects, nsA, t.name, { ...tls, targets: [t] });
    const st = await targetReason(objects, nsA, t.name, t.name, (x) => x.reason === 'PolicyDenied');
    expect(st.ready).toBe(false);
    expect(st.message).toMatch(message);
    expect(st.message).toMatch(/could allow it/);
    expect(await filesBelow(rootB())).toEqual(before);
    expect(existsSync(join(rootA(), `${t.name}.crt`))).toBe(false);
  });

  it('A deploys within its own grant (the denials above are about the grant, not a broken setup)', async () => {
    await createDeployment(objects, nsA, 'own', { ...tls, targets: [fileTarget('own', sshHost(sshA, 'a-ssh'), rootA())] });
    expect(await targetReason(objects, nsA, 'own', 'own', (x) => x.ready)).toMatchObject({ reason: 'Deployed', policies: [policyA] });
  });
});

describe('a namespace no policy selects', () => {
  it('runs nothing: host local with a /bin/sh -c reload is refused, no process starts', async () => {
    const marker = join(dir, 'MARKER');
    await createDeployment(objects, nsNone, 'sh', {
      ...tls, targets: [{ name: 'pod', file: { host: { local: {} }, certificatePath: join(dir, 'none', 'x.crt'), privateKeyPath: join(dir, 'none', 'x.key'), reload: { argv: ['/bin/sh', '-c', `touch ${marker}`] } } }],
    });
    const st = await targetReason(objects, nsNone, 'sh', 'pod', (x) => x.reason === 'PolicyDenied');
    expect(st.message).toMatch(new RegExp(`no DeploymentPolicy selects namespace ${nsNone}, so nothing is allowed: host local \\(the operator pod\\)`));
    expect(st.message).toMatch(new RegExp(`a DeploymentPolicy with spec\\.namespaces: \\[${nsNone}\\] and a hosts entry \\{local: \\{\\}\\} with pathRoots covering`));
    expect(st.message).toMatch(/exec \[\/bin\/sh -c touch/);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(dir, 'none'))).toBe(false);
    expect(ctl.events.some((e) => e.reason === 'PolicyDenied' && e.name === 'sh')).toBe(true);
  });
});

describe('policy changes re-evaluate the deployments they select', () => {
  it('a new policy lets a denied deployment deploy; narrowing it denies the next deploy and leaves the files', async () => {
    const root = join(dir, 'later');
    await mkdir(root, { recursive: true });
    await createDeployment(objects, nsLater, 'app', { ...tls, targets: [fileTarget('app', { local: {} }, root)] });
    await targetReason(objects, nsLater, 'app', 'app', (x) => x.reason === 'PolicyDenied');
    expect(existsSync(join(root, 'app.crt'))).toBe(false);

    await putPolicy(objects, policyLater, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': nsLater } }, hosts: [{ local: {}, pathRoots: [root] }] });
    expect(await targetReason(objects, nsLater, 'app', 'app', (x) => x.ready)).toMatchObject({ policies: [policyLater] });
    expect(await readFile(join(root, 'app.crt'), 'utf8')).toContain('BEGIN CERTIFICATE');

    await putPolicy(objects, policyLater, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': nsLater } }, hosts: [{ local: {}, pathRoots: [join(root, 'elsewhere')] }] });
    const st = await targetReason(objects, nsLater, 'app', 'app', (x) => x.reason === 'PolicyDenied');
    expect(st.message).toMatch(/write .*app\.crt/);
    expect(st.fingerprint).toBeDefined(); // the last certificate it took is still recorded
    expect(await readFile(join(root, 'app.key'), 'utf8')).toBe(chain.keyPem); // not undone
  });
});

/**
 * The controller against the real apiserver, deploying with the real `file` connector into a
 * temp directory: create → Ready, rotation, restart costs nothing, bad and missing Secrets,
 * spec changes, target isolation.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mintChain, type MintedChain } from '../../support/certs/index.ts';
import { createDeployment, eventually, getDeployment, kubeClients, putTlsSecret, readyOf, startController, type RunningController, waitDeploymentGone } from '../../support/controller-harness.ts';
import { createTestNamespace } from '../../support/kube.ts';

const kubeconfig = inject('kubeconfigPath');
const { core, objects } = kubeClients(kubeconfig);
const fp = (pem: string) => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
let ns = '';
let dir = '';
let ctl: RunningController;
let chain: MintedChain;

const fileTarget = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  file: { certificatePath: join(dir, `${name}.crt`), privateKeyPath: join(dir, `${name}.key`), ...extra },
});

async function waitReady(name: string, status: 'True' | 'False', reason?: string, timeoutMs = 30_000) {
  return eventually(async () => {
    const r = await readyOf(objects, ns, name);
    return r && r.ready === status && (!reason || r.reason === reason) ? r : undefined;
  }, timeoutMs, `${name} Ready=${status}${reason ? ` (${reason})` : ''}`);
}

beforeAll(async () => {
  ns = await createTestNamespace('ctl');
  dir = await mkdtemp(join(tmpdir(), 'cd-ctl-'));
  chain = await mintChain({ dnsNames: ['shop.example.test'] });
  ctl = startController(kubeconfig, { namespaces: [ns] });
});

afterAll(async () => {
  await ctl?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('controller reconcile', () => {
  it('create → Ready, files written, status records the fingerprint', async () => {
    await putTlsSecret(core, ns, 'web-tls', chain.chainPem.slice(0, -1).join(''), chain.keyPem);
    await createDeployment(objects, ns, 'web', { secretRef: { name: 'web-tls' }, targets: [fileTarget('web')] });
    const r = await waitReady('web', 'True', 'Deployed');
    expect(r.status.fingerprint).toBe(fp(chain.leafPem));
    expect(r.status.targets?.[0]).toMatchObject({ name: 'web', ready: true, fingerprint: fp(chain.leafPem), attempts: 0 });
    expect(await readFile(join(dir, 'web.crt'), 'utf8')).toContain(chain.leafPem.trim().split('\n')[1]);
    expect((await stat(join(dir, 'web.key'))).mode & 0o777).toBe(0o600);
    expect(ctl.events.some((e) => e.name === 'web' && e.reason === 'Deployed')).toBe(true);
  });

  it('rotating the Secret redeploys the new certificate', async () => {
    const next = await chain.issueLeaf({ dnsNames: ['shop.example.test'] });
    await putTlsSecret(core, ns, 'web-tls', next.chainPem.slice(0, -1).join(''), next.keyPem);
    const r = await eventually(async () => {
      const d = await readyOf(objects, ns, 'web');
      return d?.status.fingerprint === fp(next.leafPem) && d.ready === 'True' ? d : undefined;
    }, 30_000, 'rotation');
    expect(r.status.targets?.[0]?.fingerprint).toBe(fp(next.leafPem));
    expect(await readFile(join(dir, 'web.crt'), 'utf8')).toContain(next.leafPem.trim().split('\n')[1]);
  });

  it('an invalid Secret gives InvalidCertificate and no connector call', async () => {
    await putTlsSecret(core, ns, 'bad-tls', 'not a certificate', 'not a key');
    const before = ctl.counts.invocations;
    await createDeployment(objects, ns, 'bad', { secretRef: { name: 'bad-tls' }, targets: [fileTarget('bad')] });
    const r = await waitReady('bad', 'False', 'InvalidCertificate');
    expect(r.message).toMatch(/bad-tls/);
    expect(ctl.counts.invocations).toBe(before);
    await expect(stat(join(dir, 'bad.crt'))).rejects.toThrow(/ENOENT/);
  });

  it('a missing Secret gives SecretNotFound, and its appearance makes the deployment Ready', async () => {
    await createDeployment(objects, ns, 'late', { secretRef: { name: 'late-tls' }, targets: [fileTarget('late')] });
    await waitReady('late', 'False', 'SecretNotFound');
    await putTlsSecret(core, ns, 'late-tls', chain.leafPem, chain.keyPem);
    const r = await waitReady('late', 'True', 'Deployed');
    expect(r.status.fingerprint).toBe(fp(chain.leafPem));
  });

  it('a spec change redeploys only the changed target', async () => {
    await putTlsSecret(core, ns, 'two-tls', chain.leafPem, chain.keyPem);
    await createDeployment(objects, ns, 'two', { secretRef: { name: 'two-tls' }, targets: [fileTarget('two-a'), fileTarget('two-b')] });
    const first = await waitReady('two', 'True');
    const aDeployedAt = first.status.targets?.find((t) => t.name === 'two-a')?.lastAttemptAt;
    const d = await getDeployment(objects, ns, 'two');
    const targets = [fileTarget('two-a'), fileTarget('two-b', { certificatePath: join(dir, 'two-b-moved.crt') })];
    await objects.patchNamespacedCustomObject({ group: 'certdeployer.io', version: 'v1alpha1', plural: 'certificatedeployments', namespace: ns, name: 'two', body: [{ op: 'replace', path: '/spec/targets', value: targets }] });
    const r = await eventually(async () => {
      const x = await readyOf(objects, ns, 'two');
      return x && x.object.metadata.generation > d.metadata.generation && x.ready === 'True' ? x : undefined;
    }, 30_000, 'redeploy after spec change');
    expect(await readFile(join(dir, 'two-b-moved.crt'), 'utf8')).toContain('BEGIN CERTIFICATE');
    expect(r.status.targets?.find((t) => t.name === 'two-a')?.lastAttemptAt).toBe(aDeployedAt);
  });

  it('one failing target does not block or redeploy the other', async () => {
    await putTlsSecret(core, ns, 'iso-tls', chain.leafPem, chain.keyPem);
    await createDeployment(objects, ns, 'iso', {
      secretRef: { name: 'iso-tls' },
      targets: [fileTarget('iso-good'), fileTarget('iso-bad', { reload: { argv: ['/bin/false'] } })],
    });
    const r = await waitReady('iso', 'False', 'DeployFailed');
    const good = r.status.targets?.find((t) => t.name === 'iso-good');
    const bad = r.status.targets?.find((t) => t.name === 'iso-bad');
    expect(good).toMatchObject({ ready: true, fingerprint: fp(chain.leafPem) });
    expect(bad).toMatchObject({ ready: false, reason: 'DeployFailed', attempts: 1 });
    expect(bad?.message).toMatch(/\/bin\/false exited 1/);
    // The failed reload rolled back: the bad target's files are gone again (they did not exist before).
    await expect(stat(join(dir, 'iso-bad.crt'))).rejects.toThrow(/ENOENT/);
    expect(r.message).toMatch(/^iso-bad: /);
  });

  it('suspend stops all work', async () => {
    await putTlsSecret(core, ns, 'sus-tls', chain.leafPem, chain.keyPem);
    await createDeployment(objects, ns, 'sus', { secretRef: { name: 'sus-tls' }, suspend: true, targets: [fileTarget('sus')] });
    await waitReady('sus', 'False', 'Suspended');
    await expect(stat(join(dir, 'sus.crt'))).rejects.toThrow(/ENOENT/);
  });

  it('a restart over Ready deployments makes zero connector calls and zero status writes', async () => {
    await ctl.stop();
    const again = startController(kubeconfig, { namespaces: [ns] });
    try {
      // Wait until every deployment in the namespace was reconciled at least once.
      const list = (await objects.listNamespacedCustomObject({ group: 'certdeployer.io', version: 'v1alpha1', plural: 'certificatedeployments', namespace: ns })) as { items: unknown[] };
      await eventually(async () => (again.counts.reconciles >= list.items.length ? true : undefined), 30_000, 'reconciles after restart');
      expect(again.counts.invocations).toBe(0);
      expect(again.counts.statusWrites).toBe(0);
    } finally {
      ctl = again;
    }
  });
});

describe('deletionPolicy', () => {
  it('Delete: the finalizer is added before the first deploy and removed after cleanup on deletion', async () => {
    await putTlsSecret(core, ns, 'del-tls', chain.leafPem, chain.keyPem);
    await createDeployment(objects, ns, 'del', { secretRef: { name: 'del-tls' }, deletionPolicy: 'Delete', targets: [fileTarget('del')] });
    const r = await waitReady('del', 'True', 'Deployed');
    expect(r.object.metadata.finalizers).toContain('certdeployer.io/finalizer');
    await objects.deleteNamespacedCustomObject({ group: 'certdeployer.io', version: 'v1alpha1', plural: 'certificatedeployments', namespace: ns, name: 'del' });
    await waitDeploymentGone(objects, ns, 'del', 30_000);
  });

  it('Retain: no finalizer, deletion is immediate and leaves the target as it is', async () => {
    await putTlsSecret(core, ns, 'ret-tls', chain.leafPem, chain.keyPem);
    await createDeployment(objects, ns, 'ret', { secretRef: { name: 'ret-tls' }, targets: [fileTarget('ret')] });
    const r = await waitReady('ret', 'True', 'Deployed');
    expect(r.object.metadata.finalizers ?? []).not.toContain('certdeployer.io/finalizer');
    await objects.deleteNamespacedCustomObject({ group: 'certdeployer.io', version: 'v1alpha1', plural: 'certificatedeployments', namespace: ns, name: 'ret' });
    await expect(getDeployment(objects, ns, 'ret')).rejects.toMatchObject({ code: 404 });
    expect(await readFile(join(dir, 'ret.crt'), 'utf8')).toContain('BEGIN CERTIFICATE');
  });
});

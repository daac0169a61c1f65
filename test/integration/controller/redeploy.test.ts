/**
 * `certdeployer.io/redeploy-at` against the real apiserver and the real controller: one
 * connector call per new value even when the fingerprint matches, recorded in status, never
 * repeated; a target whose file was replaced behind the operator's back is rewritten by it.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GROUP, PLURAL, VERSION } from '../../../src/crds/names.ts';
import { mintChain, type MintedChain } from '../../support/certs/index.ts';
import { createDeployment, eventually, getDeployment, kubeClients, putTlsSecret, readyOf, startController, type RunningController } from '../../support/controller-harness.ts';
import { createTestNamespace } from '../../support/kube.ts';

const kubeconfig = inject('kubeconfigPath');
const { core, objects } = kubeClients(kubeconfig);
let ns = '';
let dir = '';
let ctl: RunningController;
let chain: MintedChain;

beforeAll(async () => {
  ns = await createTestNamespace('redeploy');
  dir = await mkdtemp(join(tmpdir(), 'cd-redeploy-'));
  chain = await mintChain({ dnsNames: ['r.example.test'] });
  ctl = startController(kubeconfig, { namespaces: [ns] });
});
afterAll(async () => {
  await ctl?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function annotate(name: string, annotations: Record<string, string>): Promise<void> {
  const current = (await getDeployment(objects, ns, name)).metadata as { annotations?: Record<string, string> };
  const value = { ...(current.annotations ?? {}), ...annotations };
  await objects.patchNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: ns, name, body: [{ op: 'add', path: '/metadata/annotations', value }] });
}

describe('redeploy annotation', () => {
  it('runs each request once, records it, and rewrites a file replaced behind the operator', async () => {
    await putTlsSecret(core, ns, 'r-tls', chain.chainPem.slice(0, -1).join(''), chain.keyPem);
    const crt = join(dir, 'r.crt');
    await createDeployment(objects, ns, 'r', { secretRef: { name: 'r-tls' }, targets: [{ name: 'edge', file: { certificatePath: crt, privateKeyPath: join(dir, 'r.key') } }] });
    await eventually(async () => ((await readyOf(objects, ns, 'r'))?.ready === 'True' ? true : undefined), 30_000, 'Ready');
    const before = ctl.counts.invocations;

    await writeFile(crt, 'someone else was here\n');
    await annotate('r', { 'certdeployer.io/redeploy-at': '2026-12-04T10:00:00Z' });
    await eventually(async () => ((await getDeployment(objects, ns, 'r')).status?.redeployRequest === '2026-12-04T10:00:00Z' ? true : undefined), 30_000, 'request recorded');
    expect(ctl.counts.invocations).toBe(before + 1);
    expect(await readFile(crt, 'utf8')).toContain(chain.leafPem.trim().split('\n')[1]);

    // Unrelated metadata changes and the status write coming back do not repeat it.
    await annotate('r', { unrelated: 'x' });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(ctl.counts.invocations).toBe(before + 1);
  });
});

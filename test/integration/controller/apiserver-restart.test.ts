/**
 * The apiserver restarts mid-run: the controller's informers reconnect by themselves and a
 * rotation made after the restart is deployed, with no controller restart. Uses its own
 * control plane so the shared one is never disturbed.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { applyCrds } from '../../support/apply-crds.ts';
import { mintChain } from '../../support/certs/index.ts';
import { startControlPlane, type ControlPlane } from '../../support/control-plane/control-plane.ts';
import { createDeployment, eventually, kubeClients, putTlsSecret, readyOf, startController, type RunningController } from '../../support/controller-harness.ts';

const fp = (pem: string) => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
let plane: ControlPlane | undefined;
let ctl: RunningController | undefined;
let dir = '';

afterAll(async () => {
  await ctl?.stop();
  await plane?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('apiserver restart', () => {
  it('the controller recovers without a restart', { timeout: 120_000 }, async () => {
    plane = await startControlPlane({ binDir: inject('k8sBinDir') });
    const kc = new KubeConfig();
    kc.loadFromFile(plane.kubeconfigPath);
    await applyCrds(kc, join(import.meta.dirname, '..', '..', '..', 'deploy', 'crds'));
    const { core, objects } = kubeClients(plane.kubeconfigPath);
    dir = await mkdtemp(join(tmpdir(), 'cd-restart-'));
    const chain = await mintChain({});
    await putTlsSecret(core, 'default', 'tls', chain.leafPem, chain.keyPem);
    ctl = startController(plane.kubeconfigPath, { namespaces: ['default'] });
    await createDeployment(objects, 'default', 'web', { secretRef: { name: 'tls' }, targets: [{ name: 'f', file: { certificatePath: join(dir, 'f.crt'), privateKeyPath: join(dir, 'f.key') } }] });
    await eventually(async () => ((await readyOf(objects, 'default', 'web'))?.ready === 'True' ? true : undefined), 30_000, 'Ready');

    await plane.restartApiServer(2_000);
    const next = await chain.issueLeaf({});
    await eventually(async () => {
      await putTlsSecret(core, 'default', 'tls', next.leafPem, next.keyPem);
      return true;
    }, 30_000, 'Secret update after restart');
    await eventually(async () => {
      const r = await readyOf(objects, 'default', 'web');
      return r?.ready === 'True' && r.status.fingerprint === fp(next.leafPem) ? true : undefined;
    }, 60_000, 'redeploy after the apiserver restart');
    expect(await readFile(join(dir, 'f.crt'), 'utf8')).toContain(next.leafPem.trim().split('\n')[1]);
    expect(ctl.controller.health.ready()).toEqual([]);
  });
});

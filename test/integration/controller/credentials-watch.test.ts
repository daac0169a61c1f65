/**
 * Credentials Secrets are watched (issue 10): a target in a terminal failure because its
 * credentials Secret was wrong is retried at once when that Secret is fixed — not after the
 * 30-minute slow timer, and without a redeploy annotation. Real apiserver, real controller, the
 * awsAcm connector against moto. A Secret no target references changes nothing.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mintChain, type MintedChain } from '../../support/certs/index.ts';
import { createDeployment, eventually, getDeployment, kubeClients, putTlsSecret, readyOf, startController, type RunningController } from '../../support/controller-harness.ts';
import { createTestNamespace } from '../../support/kube.ts';
import { acmReader, startMoto, TEST_ACCESS_KEY, type AcmReader, type MotoServer } from '../../support/moto/index.ts';

const kubeconfig = inject('kubeconfigPath');
const { core, objects } = kubeClients(kubeconfig);
let ns = '';
let moto: MotoServer;
let acm: AcmReader;
let chain: MintedChain;
let ctl: RunningController;

beforeAll(async () => {
  moto = await startMoto();
  acm = acmReader(moto);
  ns = await createTestNamespace('credwatch');
  chain = await mintChain({ dnsNames: ['cw.example.test'] });
  // Terminal failures wait 30 minutes unless something changes: anything sooner is the watch.
  ctl = startController(kubeconfig, { namespaces: [ns], policy: { hosts: [moto.address], pathRoots: [], commands: [], ambientCloudIdentity: false } });
}, 600_000);
afterAll(async () => {
  await ctl?.stop();
  acm?.client.destroy();
  await moto?.stop();
});

const targetOf = async (name: string) => (await getDeployment(objects, ns, name)).status?.targets?.[0];

describe('credentials Secrets are watched', () => {
  it('a terminal failure over a wrong credentials Secret is retried as soon as the Secret is fixed', async () => {
    // An Opaque Secret without aws_secret_access_key: the connector refuses it terminally.
    await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'aws-creds' }, type: 'Opaque', stringData: { aws_access_key_id: TEST_ACCESS_KEY.accessKeyId } } });
    await putTlsSecret(core, ns, 'cw-tls', chain.chainPem.slice(0, -1).join(''), chain.keyPem);
    await createDeployment(objects, ns, 'cw', {
      secretRef: { name: 'cw-tls' },
      targets: [{ name: 'edge', awsAcm: { region: 'us-east-1', endpoint: moto.endpoint, credentialsRef: { name: 'aws-creds' } } }],
    });
    const failed = await eventually(async () => {
      const t = await targetOf('cw');
      return t?.reason === 'DeployFailed' ? t : undefined;
    }, 60_000, 'terminal failure');
    expect(failed.message).toMatch(/aws-creds.*lacks aws_secret_access_key/);
    const attemptsBefore = failed.attempts ?? 1;

    // An unrelated Opaque Secret changing re-runs nothing.
    const invocations = ctl.counts.invocations;
    await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'unrelated' }, type: 'Opaque', stringData: { x: 'y' } } });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(ctl.counts.invocations).toBe(invocations);
    expect((await targetOf('cw'))?.attempts ?? 1).toBe(attemptsBefore);

    // Fixing the credentials Secret: Ready at once (the slow timer would take 30 minutes).
    await core.patchNamespacedSecret({
      namespace: ns, name: 'aws-creds',
      body: [{ op: 'add', path: '/data/aws_secret_access_key', value: Buffer.from(TEST_ACCESS_KEY.secretAccessKey).toString('base64') }],
    });
    await eventually(async () => ((await readyOf(objects, ns, 'cw'))?.ready === 'True' ? true : undefined), 60_000, 'Ready after the fix');
    expect(ctl.counts.invocations).toBeGreaterThan(invocations);
    expect(await acm.list()).toHaveLength(1);
  });
});

/**
 * Drift on ACM, against moto and the real control plane: someone re-imports another certificate
 * into the ARN this target owns → the connector's read-only inspect (GetCertificate) reports it
 * and status says `Diverged` with the other fingerprint (even though moto dropped the owner
 * tag: the ARN in status is read as it is); switched to Repair, the controller re-imports into
 * the same ARN (no second certificate) and the next look says `Serving`.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { AddTagsToCertificateCommand, ImportCertificateCommand } from '@aws-sdk/client-acm';
import { OWNER_TAG_KEY } from '../../../../src/connectors/aws-acm/index.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GROUP, PLURAL, VERSION } from '../../../../src/crds/names.ts';
import type { TargetStatus } from '../../../../src/crds/status.ts';
import { mintChain, type MintedChain } from '../../../support/certs/index.ts';
import { createDeployment, eventually, getDeployment, kubeClients, putTlsSecret, startController, type RunningController } from '../../../support/controller-harness.ts';
import { createTestNamespace } from '../../../support/kube.ts';
import { acmReader, startMoto, TEST_ACCESS_KEY, type AcmReader, type MotoServer } from '../../../support/moto/index.ts';

const kubeconfig = inject('kubeconfigPath');
const { core, objects } = kubeClients(kubeconfig);
const fp = (pem: string): string => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
const crd = { group: GROUP, version: VERSION, plural: PLURAL };

let ns = '';
let moto: MotoServer;
let acm: AcmReader;
let ctl: RunningController;
let chain: MintedChain;
let other: MintedChain;

beforeAll(async () => {
  moto = await startMoto();
  acm = acmReader(moto);
  ns = await createTestNamespace('acm-drift');
  await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'aws-credentials' }, type: 'Opaque', stringData: { aws_access_key_id: TEST_ACCESS_KEY.accessKeyId, aws_secret_access_key: TEST_ACCESS_KEY.secretAccessKey } } });
  [chain, other] = await Promise.all([mintChain({ dnsNames: ['shop.example.test'] }), mintChain({ name: 'Someone else', dnsNames: ['shop.example.test'] })]);
  ctl = startController(kubeconfig, { namespaces: [ns], policy: { hosts: [moto.address], pathRoots: [], commands: [], ambientCloudIdentity: false } });
}, 600_000);

afterAll(async () => {
  await ctl?.stop();
  acm?.client.destroy();
  await moto?.stop();
});

const edge = async () => (await getDeployment(objects, ns, 'shop')).status?.targets?.find((t) => t.name === 'edge') as TargetStatus | undefined;
const waitEdge = (want: (t: TargetStatus) => boolean, what: string) => eventually(async () => {
  const t = await edge();
  return t && want(t) ? t : undefined;
}, 60_000, what);

describe('awsAcm drift on moto', () => {
  it('a foreign re-import into our ARN is Diverged; Repair re-imports into the same ARN and it serves ours again', async () => {
    await putTlsSecret(core, ns, 'shop-tls', chain.chainPem.slice(0, -1).join(''), chain.keyPem);
    await createDeployment(objects, ns, 'shop', {
      secretRef: { name: 'shop-tls' },
      verify: { interval: '10s' },
      targets: [{ name: 'edge', awsAcm: { region: 'us-east-1', endpoint: moto.endpoint, credentialsRef: { name: 'aws-credentials' } } }],
    });
    const ours = fp(chain.leafPem);
    const ready = await waitEdge((t) => t.ready && t.fingerprint === ours && t.remoteId !== undefined, 'Ready');
    const arn = ready.remoteId!;
    await waitEdge((t) => t.drift?.verdict === 'Serving', 'a first check: Serving');
    const count = await acm.count();

    // Another tool re-imports its own certificate into our ARN.
    await acm.client.send(new ImportCertificateCommand({ CertificateArn: arn, Certificate: Buffer.from(other.leafPem), PrivateKey: Buffer.from(other.keyPem) }));
    expect((await acm.get(arn))?.fingerprint).toBe(fp(other.leafPem));
    const invocations = ctl.counts.invocations;
    const diverged = await waitEdge((t) => t.drift?.verdict === 'Diverged', 'Diverged');
    expect(diverged.drift).toMatchObject({ observedFingerprint: fp(other.leafPem), held: { verdict: 'Diverged', fingerprint: fp(other.leafPem) } });
    expect(diverged.drift?.held?.message).toContain(arn);
    expect(diverged.drift?.endpoints).toBeUndefined(); // ACM has no endpoint: the verdict is the target's own
    expect(ctl.counts.invocations).toBe(invocations);

    // ACM keeps a certificate's tags across a re-import (a re-import may not even carry tags);
    // moto 5.2.5 rebuilds the certificate and drops them (moto/acm/models.py import_certificate).
    // Put back what ACM would have kept, so the repair meets the ARN the way it would on AWS.
    const uid = ((await getDeployment(objects, ns, 'shop')).metadata as { uid?: string }).uid ?? '';
    await acm.client.send(new AddTagsToCertificateCommand({ CertificateArn: arn, Tags: [{ Key: OWNER_TAG_KEY, Value: `${uid}/edge` }] }));

    await objects.patchNamespacedCustomObject({ ...crd, namespace: ns, name: 'shop', body: [{ op: 'replace', path: '/spec/driftPolicy', value: 'Repair' }] });
    const repaired = await waitEdge((t) => t.drift?.repairs === 1, 'repaired');
    expect(repaired.drift?.verdict).toBe('Serving');
    expect(repaired.remoteId).toBe(arn);
    expect((await acm.get(arn))?.fingerprint).toBe(ours);
    expect(await acm.count()).toBe(count);
    expect(ctl.counts.invocations).toBe(invocations + 1);
  }, 180_000);
});

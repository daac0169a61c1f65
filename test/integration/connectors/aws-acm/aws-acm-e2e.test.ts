/**
 * End to end on the real control plane: CertificateDeployments with `awsAcm` targets drive the
 * in-process controller, which imports into a real moto server (the AWS emulator) through the
 * sandbox. Covers the first import (status keeps the ARN), a Secret rotation (re-import into
 * the same ARN), a controller restart (no ACM mutation), a lost status write (status forgets the
 * ARN while the certificate rotates: found again by its owner tag), a credentials Secret that
 * appears late, ambient identity through a stand-in for instance metadata (refused until the policy lists
 * its address, then Ready), and deletionPolicy: Delete (certificate
 * deleted, finalizer removed, a foreign certificate untouched). Certificates are counted in ACM
 * after every step. The operator policy allows exactly moto's address.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OWNER_TAG_KEY } from '../../../../src/connectors/aws-acm/index.ts';
import { GROUP, PLURAL, VERSION } from '../../../../src/crds/names.ts';
import { mintChain, type MintedChain } from '../../../support/certs/index.ts';
import { createDeployment, eventually, getDeployment, kubeClients, putTlsSecret, readyOf, startController, type RunningController, waitDeploymentGone } from '../../../support/controller-harness.ts';
import { createTestNamespace } from '../../../support/kube.ts';
import { startRecordingListener } from '../../../support/cloud-identity/recording-listener.ts';
import { acmReader, startMoto, TEST_ACCESS_KEY, type AcmReader, type MotoServer } from '../../../support/moto/index.ts';

const kubeconfig = inject('kubeconfigPath');
const { core, objects } = kubeClients(kubeconfig);
const fp = (pem: string): string => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
const crd = { group: GROUP, version: VERSION, plural: PLURAL };
/** Variables that select an ambient AWS identity; the ambient case sets only the metadata endpoint. */
const AMBIENT_ENV = [
  'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN', 'AWS_PROFILE', 'AWS_EC2_METADATA_DISABLED',
  'AWS_EC2_METADATA_SERVICE_ENDPOINT', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
];

let ns = '';
let moto: MotoServer;
let acm: AcmReader;
let chain: MintedChain;
let ctl: RunningController;

function startCtl(): RunningController {
  return startController(kubeconfig, {
    namespaces: [ns],
    policy: { hosts: [moto.address], pathRoots: [], commands: [], ambientCloudIdentity: false },
  });
}

const target = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  awsAcm: { region: 'us-east-1', endpoint: moto.endpoint, credentialsRef: { name: 'aws-credentials' }, tags: { app: 'shop' }, ...extra },
});

async function waitFor(name: string, want: (r: NonNullable<Awaited<ReturnType<typeof readyOf>>>) => boolean, what: string) {
  return eventually(async () => {
    const r = await readyOf(objects, ns, name);
    return r !== undefined && want(r) ? r : undefined;
  }, 90_000, what);
}

async function putCredentials(name: string): Promise<void> {
  await core.createNamespacedSecret({
    namespace: ns,
    body: { metadata: { name }, type: 'Opaque', stringData: { aws_access_key_id: TEST_ACCESS_KEY.accessKeyId, aws_secret_access_key: TEST_ACCESS_KEY.secretAccessKey } },
  });
}

beforeAll(async () => {
  moto = await startMoto();
  acm = acmReader(moto);
  ns = await createTestNamespace('acm');
  await putCredentials('aws-credentials');
  chain = await mintChain({ dnsNames: ['shop.example.test'] });
  ctl = startCtl();
}, 600_000);

afterAll(async () => {
  await ctl?.stop();
  acm?.client.destroy();
  await moto?.stop();
});

describe('awsAcm end to end', () => {
  it('imports, re-imports into the same ARN, survives a restart and a lost status write with one certificate, and deletes on deletion', async () => {
    const foreign = await mintChain({ name: 'Foreign' });
    const foreignArn = await acm.importForeign(foreign.leafPem, foreign.keyPem, { team: 'ops' });

    await putTlsSecret(core, ns, 'shop-tls', chain.chainPem.slice(0, -1).join(''), chain.keyPem);
    await createDeployment(objects, ns, 'shop', { secretRef: { name: 'shop-tls' }, deletionPolicy: 'Delete', targets: [target('edge')] });
    const first = await waitFor('shop', (r) => r.ready === 'True' && r.status.fingerprint === fp(chain.leafPem), 'shop Ready');
    const arn = first.status.targets?.[0]?.remoteId ?? '';
    expect(arn).toMatch(/^arn:aws:acm:us-east-1:\d{12}:certificate\//);
    const uid = (first.object.metadata as { uid?: string }).uid ?? '';
    const owner = `${uid}/edge`;
    let mine = await acm.owned(owner);
    expect(mine.map((c) => [c.arn, c.fingerprint, c.chain.length])).toEqual([[arn, fp(chain.leafPem), 2]]);
    expect(mine[0]?.tags).toEqual({ [OWNER_TAG_KEY]: owner, app: 'shop' });
    expect(await acm.count()).toBe(2);

    // Rotation: the same ARN, the new certificate.
    const next = await chain.issueLeaf({ dnsNames: ['shop.example.test'] });
    await putTlsSecret(core, ns, 'shop-tls', next.chainPem.slice(0, -1).join(''), next.keyPem);
    const rotated = await waitFor('shop', (r) => r.ready === 'True' && r.status.fingerprint === fp(next.leafPem), 'shop Ready after rotation');
    expect(rotated.status.targets?.[0]?.remoteId).toBe(arn);
    mine = await acm.owned(owner);
    expect(mine.map((c) => [c.arn, c.fingerprint])).toEqual([[arn, fp(next.leafPem)]]);
    expect(await acm.count()).toBe(2);

    // Restart: the controller skips a Ready target; ACM is unchanged.
    await ctl.stop();
    const before = await acm.list();
    ctl = startCtl();
    await eventually(async () => (ctl.counts.reconciles > 0 ? true : undefined), 30_000, 'a reconcile after the restart');
    expect((await readyOf(objects, ns, 'shop'))?.ready).toBe('True');
    expect(await acm.list()).toEqual(before);

    // A lost status write: status forgets the ARN while the certificate rotates again.
    await ctl.stop();
    const cur = await getDeployment(objects, ns, 'shop');
    const targets = (cur.status?.targets ?? []).map(({ remoteId: _lost, ...t }) => t);
    await objects.replaceNamespacedCustomObjectStatus({ ...crd, namespace: ns, name: 'shop', body: { ...cur, status: { ...cur.status, targets } } });
    expect((await getDeployment(objects, ns, 'shop')).status?.targets?.[0]?.remoteId).toBeUndefined();
    const third = await chain.issueLeaf({ dnsNames: ['shop.example.test'] });
    await putTlsSecret(core, ns, 'shop-tls', third.chainPem.slice(0, -1).join(''), third.keyPem);
    ctl = startCtl();
    const found = await waitFor('shop', (r) => r.ready === 'True' && r.status.fingerprint === fp(third.leafPem), 'shop Ready after the lost status write');
    expect(found.status.targets?.[0]?.remoteId).toBe(arn);
    expect(found.status.targets?.[0]?.message).toMatch(/tag search/);
    expect((await acm.owned(owner)).map((c) => [c.arn, c.fingerprint])).toEqual([[arn, fp(third.leafPem)]]);

    // The whole status lost: deployed again, found by tag, nothing imported.
    await ctl.stop();
    const again = await getDeployment(objects, ns, 'shop');
    await objects.replaceNamespacedCustomObjectStatus({ ...crd, namespace: ns, name: 'shop', body: { ...again, status: { observedGeneration: again.metadata.generation, conditions: [] } } });
    const snapshot = await acm.list();
    ctl = startCtl();
    await waitFor('shop', (r) => r.ready === 'True' && r.status.targets?.[0]?.remoteId === arn, 'shop Ready again after losing all status');
    expect(ctl.counts.invocations).toBeGreaterThan(0);
    expect(await acm.list()).toEqual(snapshot);

    // deletionPolicy: Delete removes our certificate and the finalizer; the foreign one stays.
    await objects.deleteNamespacedCustomObject({ ...crd, namespace: ns, name: 'shop' });
    await waitDeploymentGone(objects, ns, 'shop', 90_000);
    expect(await acm.get(arn)).toBeNull();
    expect((await acm.list()).map((c) => c.arn)).toEqual([foreignArn]);
  });

  it('a credentials Secret created after the deployment: retried, then Ready', async () => {
    await putTlsSecret(core, ns, 'late-tls', chain.chainPem.slice(0, -1).join(''), chain.keyPem);
    await createDeployment(objects, ns, 'late', { secretRef: { name: 'late-tls' }, targets: [target('edge', { credentialsRef: { name: 'late-credentials' } })] });
    const waiting = await waitFor('late', (r) => r.ready === 'False', 'late not ready');
    expect(waiting.reason).toBe('TargetUnavailable');
    expect(waiting.status.targets?.[0]?.message).toMatch(/late-credentials.*not found/);
    await putCredentials('late-credentials');
    const r = await waitFor('late', (x) => x.ready === 'True', 'late Ready once the Secret exists');
    const uid = (r.object.metadata as { uid?: string }).uid ?? '';
    expect((await acm.owned(`${uid}/edge`)).map((c) => c.arn)).toEqual([r.status.targets?.[0]?.remoteId]);
  });

  it('ambient identity (instance metadata): refused until the policy lists the metadata address, then Ready through the sandbox', async () => {
    // A recording listener stands in for IMDS, selected the documented way (AWS_EC2_METADATA_SERVICE_ENDPOINT);
    // the controller runs in this process, so the connector sees this environment.
    const imds = await startRecordingListener();
    const saved = Object.fromEntries(AMBIENT_ENV.map((k) => [k, process.env[k]]));
    for (const k of AMBIENT_ENV) delete process.env[k];
    process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = imds.url;
    imds.answer((r) => {
      if (r.method === 'PUT' && r.path === '/latest/api/token') return { status: 200, body: 'imds-session' };
      if (r.path === '/latest/meta-data/iam/security-credentials/') return { status: 200, body: 'node-role' };
      if (r.path === '/latest/meta-data/iam/security-credentials/node-role') {
        return { status: 200, body: JSON.stringify({ Code: 'Success', AccessKeyId: TEST_ACCESS_KEY.accessKeyId, SecretAccessKey: TEST_ACCESS_KEY.secretAccessKey, Token: 't' }) };
      }
      return { status: 404 };
    });
    try {
      const count = await acm.count();
      await putTlsSecret(core, ns, 'amb-tls', chain.leafPem, chain.keyPem);
      await createDeployment(objects, ns, 'amb', { secretRef: { name: 'amb-tls' }, targets: [{ name: 'edge', awsAcm: { region: 'us-east-1', endpoint: moto.endpoint } }] });
      // The policy lists moto only: the metadata address the connector declares is missing, so
      // the grant check refuses before any I/O, naming it; the stand-in saw no connection.
      const r = await waitFor('amb', (x) => x.ready === 'False', 'amb not ready');
      expect(r.reason).toBe('GrantDenied');
      expect(r.status.targets?.[0]?.message).toContain(`dial ${imds.address}`);
      expect(imds.connections).toBe(0);
      expect(await acm.count()).toBe(count);

      // A policy that lists the metadata address and allows ambient identity: the IMDSv2 lookup
      // goes through the sandbox and the certificate is imported.
      await ctl.stop();
      ctl = startController(kubeconfig, { namespaces: [ns], policy: { hosts: [moto.address, imds.address], pathRoots: [], commands: [], ambientCloudIdentity: true } });
      // A terminal GrantDenied is retried on a spec change (or a slow timer): change the spec.
      const cur = await getDeployment(objects, ns, 'amb');
      const edge = { name: 'edge', awsAcm: { region: 'us-east-1', endpoint: moto.endpoint, tags: { identity: 'ambient' } } };
      await objects.replaceNamespacedCustomObject({ ...crd, namespace: ns, name: 'amb', body: { ...cur, spec: { ...cur.spec, targets: [edge] } } });
      await waitFor('amb', (x) => x.ready === 'True', 'amb Ready with the metadata address allowed');
      expect(imds.requests.map((q) => `${q.method} ${q.path}`)).toEqual([
        'PUT /latest/api/token', 'GET /latest/meta-data/iam/security-credentials/', 'GET /latest/meta-data/iam/security-credentials/node-role',
      ]);
      expect(await acm.count()).toBe(count + 1);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await imds.close();
    }
  });
});

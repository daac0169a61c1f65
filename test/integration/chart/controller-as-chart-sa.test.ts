/**
 * The other half of least privilege: the chart's RBAC is *enough*. The chart is installed in
 * namespaced mode with a policy; the real controller (src/main.ts) then runs with exactly the
 * args of the installed Deployment and a token of the chart's ServiceAccount (what
 * loadFromCluster would give it in a pod). It must become ready, take the Lease, deploy a
 * certificate with the file connector (get Secret, finalizer, status, Event), be denied by the
 * chart's --policy outside pathRoots, and stop cleanly on SIGTERM — with no "forbidden" in
 * its log. Only the metrics address (a free loopback port) and --kubeconfig are changed.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api, CoreV1Api, CustomObjectsApi, EventsV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintChain } from '../../support/certs/index.ts';
import { startManaged, type ManagedProcess } from '../../support/control-plane/child-process.ts';
import { freePort } from '../../support/control-plane/ports.ts';
import { createTestNamespace, testKubeConfig } from '../../support/kube.ts';
import { CHART_DIR, REPO_ROOT, createHelmCli, findOne, parseManifests, type HelmCli } from './helm-cli.ts';

const kc = testKubeConfig();
const objects = kc.makeApiClient(CustomObjectsApi);
const release = `cdr-${randomBytes(3).toString('hex')}`;
const sa = `${release}-cert-deployer`;
const podName = `${release}-7d9f-abcde`;
const cdRef = { group: 'certdeployer.io', version: 'v1alpha1', plural: 'certificatedeployments' };

let cli: HelmCli;
let ns = '';
let watched = '';
let dir = '';
let port = 0;
let controller: ManagedProcess | undefined;

/** Polls `probe` until it returns a value; bounded so a broken controller fails the test. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what} (last status ${lastStatus})\n--- controller log ---\n${await controller?.tail(40)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A kubeconfig holding only a token of the chart's ServiceAccount: the pod's identity. */
async function serviceAccountKubeconfig(): Promise<string> {
  const token = await cli.kubectl(['create', 'token', sa, '-n', ns, '--duration', '1h']);
  expect(token.code, token.stderr).toBe(0);
  const cluster = kc.getCurrentCluster()!;
  const path = join(dir, 'sa.kubeconfig');
  await writeFile(path, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'sa',
    clusters: [{ name: 'c', cluster: { server: cluster.server, 'certificate-authority-data': cluster.caData } }],
    users: [{ name: sa, user: { token: token.stdout.trim() } }],
    contexts: [{ name: 'sa', context: { cluster: 'c', user: sa } }],
  }), { mode: 0o600 });
  return path;
}

beforeAll(async () => {
  cli = await createHelmCli();
  dir = await mkdtemp(join(tmpdir(), 'cd-chart-run-'));
  ns = await createTestNamespace('chart-run');
  watched = await createTestNamespace('chart-run-w');
  // The chart renders the DeploymentPolicy (deny by default otherwise): local files anywhere, bounded
  // by the --policy flag's pathRoots, so "outside" stays a GrantDenied of the upper bound.
  const policies = [{ name: `${release}-local`, spec: { namespaces: [watched], hosts: [{ local: {}, pathRoots: ['/'] }] } }];
  const values = { namespaces: [watched], crds: { enabled: false }, replicaCount: 1, shutdownGraceSeconds: 10, policies, policy: { pathRoots: [join(dir, 'allowed')] } };
  const installed = await cli.helm(['install', release, CHART_DIR, '--namespace', ns, '-f', await cli.valuesFile(values)]);
  expect(installed.code, installed.stderr).toBe(0);
  const manifest = await cli.helm(['get', 'manifest', release, '--namespace', ns]);
  const deployment = findOne(parseManifests(manifest.stdout), 'Deployment');
  const args = (deployment.spec as { template: { spec: { containers: { args: string[] }[] } } }).template.spec.containers[0]!.args;
  port = await freePort();
  const runArgs = [
    ...args.map((a) => (a.startsWith('--metrics-bind-address=') ? `--metrics-bind-address=127.0.0.1:${port}` : a)),
    `--kubeconfig=${await serviceAccountKubeconfig()}`,
  ];
  controller = startManaged('cert-deployer', 'env', [
    `POD_NAME=${podName}`, `POD_NAMESPACE=${ns}`, process.execPath, '--import', join(REPO_ROOT, 'hack', 'sdk-from-source.ts'), join(REPO_ROOT, 'src', 'main.ts'), ...runArgs,
  ], join(dir, 'controller.log'));
});

afterAll(async () => {
  await controller?.stop();
  await cli?.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function createDeployment(name: string, certDir: string): Promise<void> {
  await objects.createNamespacedCustomObject({
    ...cdRef, namespace: watched,
    body: {
      apiVersion: 'certdeployer.io/v1alpha1', kind: 'CertificateDeployment', metadata: { name },
      spec: { secretRef: { name: 'web-tls' }, targets: [{ name: 'local', file: { certificatePath: join(certDir, 'tls.crt'), privateKeyPath: join(certDir, 'tls.key') } }] },
    },
  });
}

let lastStatus = '';
async function readyReason(name: string): Promise<string | undefined> {
  const cd = (await objects.getNamespacedCustomObject({ ...cdRef, namespace: watched, name })) as { status?: { conditions?: { type: string; reason: string }[] } };
  lastStatus = `${name}: ${JSON.stringify(cd.status)}`;
  return cd.status?.conditions?.find((c) => c.type === 'Ready')?.reason;
}

describe('the controller running as the chart ServiceAccount', () => {
  it('becomes ready (informers synced with namespaced RBAC) and takes the Lease', async () => {
    await eventually('/readyz 200', async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200 ? true : undefined));
    const lease = await eventually('the Lease', async () =>
      (await kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: 'cert-deployer-controller', namespace: ns })).spec?.holderIdentity || undefined);
    expect(lease).toBe(podName);
  });

  it('deploys a certificate inside the policy and records status and an Event', async () => {
    const chain = await mintChain({ dnsNames: ['shop.example.test'] });
    await kc.makeApiClient(CoreV1Api).createNamespacedSecret({
      namespace: watched,
      body: {
        metadata: { name: 'web-tls' }, type: 'kubernetes.io/tls',
        data: { 'tls.crt': Buffer.from(chain.chainPem.slice(0, -1).join('')).toString('base64'), 'tls.key': Buffer.from(chain.keyPem).toString('base64') },
      },
    });
    await mkdir(join(dir, 'allowed', 'web'), { recursive: true });
    await createDeployment('inside', join(dir, 'allowed', 'web'));
    expect(await eventually('inside Ready', async () => ((await readyReason('inside')) === 'Deployed' ? 'Deployed' : undefined))).toBe('Deployed');
    expect(await readFile(join(dir, 'allowed', 'web', 'tls.crt'), 'utf8')).toContain(chain.leafPem.trim().split('\n')[1]);
    const events = await eventually('a Deployed Event', async () => {
      const list = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: watched });
      return list.items.find((e) => e.regarding?.name === 'inside' && e.reason === 'Deployed');
    });
    expect(events.reportingController).toBeTruthy();
  });

  it('is denied by the chart policy outside pathRoots', async () => {
    await createDeployment('outside', join(dir, 'elsewhere'));
    expect(await eventually('outside GrantDenied', async () => ((await readyReason('outside')) === 'GrantDenied' ? 'GrantDenied' : undefined))).toBe('GrantDenied');
  });

  it('never hit an authorization error, and exits 0 on SIGTERM', async () => {
    await controller!.stop(30_000);
    expect(await controller!.exited).toBe(0);
    const log = await readFile(join(dir, 'controller.log'), 'utf8');
    expect(log).toContain('cert-deployer starting');
    expect(log.split('\n').filter((line) => /forbidden/i.test(line))).toEqual([]);
  });
});

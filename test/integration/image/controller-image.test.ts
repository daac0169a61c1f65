/**
 * The controller image, as a cluster would run it: the image built from the repository's
 * Dockerfile (hack/image/build.sh) is started by runc with the chart's pod settings — read-only
 * root, uid/gid 65532, every capability dropped, no-new-privileges, the chart Deployment's args
 * and a token of the chart's ServiceAccount mounted where a pod gets it (so the controller's
 * in-cluster config path is what runs). It must come up, and a CertificateDeployment whose nginx
 * target is reached over SSH (a real sshd, a real nginx) must become Ready with the certificate
 * actually served, inside the chart's policy, without one authorization error; SIGTERM ends it
 * with exit 0. The host network namespace stands in for the pod network: the control plane,
 * sshd and nginx listen on this machine's loopback.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mintChain, type MintedChain } from '../../support/certs/index.ts';
import { freePort } from '../../support/control-plane/ports.ts';
import { createDeployment, eventually, getDeployment, kubeClients, putTlsSecret } from '../../support/controller-harness.ts';
import { createTestNamespace } from '../../support/kube.ts';
import { allowAll } from '../../support/policy-fixtures.ts';
import { nginxSpec } from '../../support/servers/nginx.ts';
import { waitUntilServed } from '../../support/servers/tls-served.ts';
import { startWebServer, type WebServer } from '../../support/servers/web-server.ts';
import { startSshd, type Sshd } from '../../../packages/connector-sdk/src/testing/sshd.ts';
import { CHART_DIR, REPO_ROOT, createHelmCli, findOne, parseManifests, type HelmCli } from '../chart/helm-cli.ts';
import { COLD_BUILD_TIMEOUT_MS, imageUnderTest, type ImageUnderTest } from './image-under-test.ts';
import { runContainer, type RuncContainer } from './runc-container.ts';
import { runtimeSpec, SERVICE_ACCOUNT_MOUNT } from './runtime-spec.ts';
import { writeServiceAccountVolume } from '../../../hack/image/service-account-volume.ts';

const NONROOT = 65532;
const SNI = 'shop.example.test';
const MiB = 1024 * 1024;
const fp = (pem: string): string => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');

const release = `img-${Math.random().toString(36).slice(2, 7)}`;
const sa = `${release}-cert-deployer`;
let image: ImageUnderTest;
let cli: HelmCli;
let ns = '';
let watched = '';
let dir = '';
let port = 0;
let sshd: Sshd | undefined;
let nginx: WebServer | undefined;
let chain: MintedChain;
let container: RuncContainer | undefined;
const timings: Record<string, number> = {};

/** The projected ServiceAccount volume: token, ca.crt, namespace, readable by the pod's uid only. */
async function serviceAccountVolume(kubeconfigPath: string): Promise<string> {
  const token = await cli.kubectl(['create', 'token', sa, '-n', ns, '--duration', '1h']);
  expect(token.code, token.stderr).toBe(0);
  const { kc } = kubeClients(kubeconfigPath);
  const cluster = kc.getCurrentCluster()!;
  const ca = cluster.caData ? Buffer.from(cluster.caData, 'base64').toString() : await readFile(cluster.caFile!, 'utf8');
  return writeServiceAccountVolume(dir, { token: token.stdout.trim(), ca, namespace: ns }, NONROOT);
}

/** The container's log once it contains `needle`. */
async function logLine(needle: string): Promise<string> {
  return eventually(async () => ((await container!.log()).includes(needle) ? needle : undefined), 90_000, `container log line "${needle}"`)
    .catch(async (err: Error) => {
      throw new Error(`${err.message}\n--- container log ---\n${await container!.log()}`);
    });
}

beforeAll(async () => {
  image = await imageUnderTest();
}, COLD_BUILD_TIMEOUT_MS);

beforeAll(async () => {
  const kubeconfigPath = inject('kubeconfigPath');
  const { kc, core } = kubeClients(kubeconfigPath);
  cli = await createHelmCli();
  dir = await mkdtemp(join(tmpdir(), 'cd-image-'));
  ns = await createTestNamespace('image');
  watched = await createTestNamespace('image-w');
  chain = await mintChain({ name: 'Image', dnsNames: [SNI] });
  sshd = await startSshd();
  nginx = await startWebServer(nginxSpec, { files: { certificatePath: join(dir, 'nginx', 'site.crt'), privateKeyPath: join(dir, 'nginx', 'site.key') }, dir: join(dir, 'nginx') });
  await core.createNamespacedSecret({
    namespace: watched,
    body: { metadata: { name: 'web-ssh' }, type: 'kubernetes.io/ssh-auth', stringData: { 'ssh-privatekey': sshd.clientKey.privateKey } },
  });

  // A platform admin's DeploymentPolicy for the watched namespace (deny by default otherwise);
  // the chart's --policy upper bound below still names exactly this target.
  await allowAll(kubeClients(kubeconfigPath).objects, watched);
  // The chart as a user installs it, namespaced, with a policy naming exactly this target.
  const values = {
    namespaces: [watched], crds: { enabled: false }, replicaCount: 1, shutdownGraceSeconds: 10,
    policy: { hosts: [sshd.address, nginx.address], pathRoots: [nginx.dir] },
  };
  const installed = await cli.helm(['install', release, CHART_DIR, '--namespace', ns, '-f', await cli.valuesFile(values)]);
  expect(installed.code, installed.stderr).toBe(0);
  const manifest = await cli.helm(['get', 'manifest', release, '--namespace', ns]);
  const pod = (findOne(parseManifests(manifest.stdout), 'Deployment').spec as {
    template: { spec: { securityContext: { runAsUser: number; runAsGroup: number }; containers: { args: string[]; resources: { limits: { memory: string } } }[] } };
  }).template.spec;
  expect([pod.securityContext.runAsUser, pod.securityContext.runAsGroup]).toEqual([NONROOT, NONROOT]);
  expect(pod.containers[0]!.resources.limits.memory).toBe('1Gi');
  port = await freePort();
  // Host network: the chart's 0.0.0.0:8080 would collide between runs, so only the port moves.
  const args = pod.containers[0]!.args.map((a) => (a.startsWith('--metrics-bind-address=') ? `--metrics-bind-address=127.0.0.1:${port}` : a));
  const server = new URL(kc.getCurrentCluster()!.server);

  const spec = runtimeSpec(image.process, {
    rootfs: image.rootfs,
    args,
    env: [`KUBERNETES_SERVICE_HOST=${server.hostname}`, `KUBERNETES_SERVICE_PORT=${server.port}`, `POD_NAME=${release}-6b8d5-x2x7q`, `POD_NAMESPACE=${ns}`],
    serviceAccountDir: await serviceAccountVolume(kubeconfigPath),
    uid: pod.securityContext.runAsUser,
    gid: pod.securityContext.runAsGroup,
    memoryLimitBytes: 512 * MiB,
    tmpBytes: 64 * MiB,
  });
  container = await runContainer(spec, dir);
}, 180_000);

afterAll(async () => {
  await container?.stop(5_000);
  await nginx?.stop();
  await sshd?.stop();
  await cli?.dispose();
  if (timings.starting !== undefined) {
    console.info(`[image] ${image.meta.ref}: ${(image.meta.rootfsBytes / MiB).toFixed(0)} MiB unpacked, ${(image.meta.ociBytes / MiB).toFixed(0)} MiB compressed, built in ${image.meta.buildSeconds} s; runc start → "starting" ${timings.starting} ms, → /readyz ${timings.ready} ms`);
  }
  if (dir !== '') await rm(dir, { recursive: true, force: true });
}, 60_000);

describe('the image definition', () => {
  it('runs the Node binary the tests run, and its registry defaults name the same Node major', async () => {
    const dockerfile = await readFile(join(REPO_ROOT, 'Dockerfile'), 'utf8');
    const major = /^>=(\d+)/.exec((JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node)?.[1];
    expect(/^ARG NODE_BUILD_IMAGE=(\S+)$/m.exec(dockerfile)?.[1]).toBe(`node:${major}-bookworm-slim`);
    expect(/^ARG NODE_RUNTIME_IMAGE=(\S+)$/m.exec(dockerfile)?.[1]).toBe(`gcr.io/distroless/nodejs${major}-debian12:nonroot`);
    const sha = async (p: string) => createHash('sha256').update(await readFile(p)).digest('hex');
    expect(await sha(join(image.rootfs, 'nodejs', 'bin', 'node'))).toBe(await sha(process.execPath));
    expect(process.version.slice(1).split('.')[0]).toBe(major);
  });
});

describe('the controller image under runc', () => {
  it('runs with the chart pod constraints: uid/gid 65532, no capabilities, no-new-privileges, read-only root', async () => {
    const pid = await eventually(async () => container!.hostPid().catch(() => undefined), 30_000, 'the container process');
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => new RegExp(`^${name}:\\s+(.*)$`, 'm').exec(status)?.[1]?.split(/\s+/);
    expect(field('Uid')).toEqual([`${NONROOT}`, `${NONROOT}`, `${NONROOT}`, `${NONROOT}`]);
    expect(field('Gid')).toEqual([`${NONROOT}`, `${NONROOT}`, `${NONROOT}`, `${NONROOT}`]);
    for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) expect(field(set), set).toEqual(['0000000000000000']);
    expect(field('NoNewPrivs')).toEqual(['1']);
    // mountinfo: mount point is field 5, per-mount options field 6.
    const mounts = (await readFile(`/proc/${pid}/mountinfo`, 'utf8')).split('\n').map((l) => l.split(' '));
    const opts = (at: string) => mounts.find((m) => m[4] === at)?.[5]?.split(',');
    expect(opts('/')).toContain('ro');
    // /var/run is a link to /run in the image, so the kernel reports the resolved path.
    expect(opts(SERVICE_ACCOUNT_MOUNT.replace(/^\/var\/run\//, '/run/'))).toContain('ro');
    expect(opts('/tmp')).toContain('rw');
  });

  it('ships its code root-owned and not writable by the process', async () => {
    for (const rel of ['app', 'app/dist', 'app/dist/src/main.js', 'app/node_modules', 'app/package.json', 'app/packages/connector-sdk/dist/index.js']) {
      const st = await stat(join(image.rootfs, rel));
      expect([rel, st.uid, st.mode & 0o022]).toEqual([rel, 0, 0]);
    }
  });

  it('starts on the in-cluster config and becomes ready', async () => {
    await logLine('cert-deployer starting');
    timings.starting = Math.round(performance.now() - container!.startedAt);
    await eventually(async () => ((await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined), 120_000, '/readyz 200');
    timings.ready = Math.round(performance.now() - container!.startedAt);
    // The image's entry point is what ran, as the pod's user: the image config says so too.
    // --max-semi-space-size=2: a small young generation (docs/image.md, docs/benchmarks.md).
    expect(image.process.args).toEqual(['/nodejs/bin/node', '--max-semi-space-size=2', 'dist/src/main.js']);
    expect(image.process.user.uid).toBe(NONROOT);
  });

  it('deploys to nginx over SSH: the CertificateDeployment is Ready and nginx serves the certificate', async () => {
    const { core, objects } = kubeClients(inject('kubeconfigPath'));
    await putTlsSecret(core, watched, 'shop-tls', chain.chainPem.slice(0, -1).join(''), chain.keyPem);
    await createDeployment(objects, watched, 'shop', {
      secretRef: { name: 'shop-tls' },
      targets: [{
        name: 'edge',
        nginx: {
          host: { ssh: { address: sshd!.address, user: sshd!.user, credentialsRef: { name: 'web-ssh' }, hostKey: sshd!.hostKey.publicLine } },
          certificatePath: nginx!.files.certificatePath,
          privateKeyPath: nginx!.files.privateKeyPath,
          configTest: [...nginx!.configTestArgv],
          reload: [...nginx!.reloadArgv],
        },
        verify: { endpoints: [{ address: nginx!.address, serverName: SNI }], timeoutSeconds: 60 },
      }],
    });
    const ready = await eventually(async () => {
      const d = await getDeployment(objects as CustomObjectsApi, watched, 'shop');
      const cond = d.status?.conditions?.find((c) => c.type === 'Ready');
      return cond?.status === 'True' && d.status?.observedGeneration === d.metadata.generation ? d.status : undefined;
    }, 120_000, 'shop Ready').catch(async (err: Error) => {
      const d = await getDeployment(objects as CustomObjectsApi, watched, 'shop');
      throw new Error(`${err.message}\nstatus: ${JSON.stringify(d.status)}\n--- container log ---\n${await container!.log()}`);
    });
    expect(ready.fingerprint).toBe(fp(chain.leafPem));
    expect((ready.targets ?? []).map((t) => [t.name, t.ready, t.reason])).toEqual([['edge', true, 'Deployed']]);
    expect(await waitUntilServed(nginx!.address, SNI, fp(chain.leafPem))).toBe(fp(chain.leafPem));
  });

  it('never hit an authorization error, and exits 0 on SIGTERM', async () => {
    await container!.stop(30_000);
    expect(await container!.exited).toBe(0);
    const log = await container!.log();
    expect(log).toContain('cert-deployer starting');
    expect(log.split('\n').filter((line) => /forbidden/i.test(line))).toEqual([]);
  });
});

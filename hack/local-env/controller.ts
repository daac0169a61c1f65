/**
 * The controller of the local environment, installed and run the way a cluster runs it: the
 * chart is installed with `helm install` (ServiceAccount, RBAC, the Deployment and its args),
 * and its pod is then started here, because no kubelet runs: the image built from the
 * Dockerfile under runc with the chart's security context and a token of the chart's
 * ServiceAccount mounted where a pod gets it, or, where runc or the image is not available,
 * `src/main.ts` as a process with the same args and the same ServiceAccount's token.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { imageUnderTest } from '../image/image-under-test.ts';
import { runContainer } from '../image/runc-container.ts';
import { runtimeSpec } from '../image/runtime-spec.ts';
import { writeServiceAccountVolume } from '../image/service-account-volume.ts';
import { startManaged } from '../local-cluster/child-process.ts';
import { freePort } from '../local-cluster/ports.ts';
import { SDK_FROM_SOURCE } from '../sdk-from-source.ts';

const run = promisify(execFile);
const REPO_ROOT = join(import.meta.dirname, '..', '..');
const MiB = 1024 * 1024;
export const RELEASE = 'cert-deployer';
export const RELEASE_NAMESPACE = 'cert-deployer';

export type ControllerMode = 'image' | 'process';

export interface RunningController {
  readonly mode: ControllerMode;
  /** One line saying what runs (image reference or command). */
  readonly description: string;
  /** `127.0.0.1:<port>` of /metrics, /healthz, /readyz. */
  readonly metricsAddress: string;
  /** Resolves when the controller has exited (on its own or after stop()). */
  readonly exited: Promise<unknown>;
  log(): Promise<string>;
  stop(): Promise<void>;
}

export interface ControllerOptions {
  readonly mode: ControllerMode;
  readonly binDir: string;
  /** The admin kubeconfig of the local control plane. */
  readonly kubeconfigPath: string;
  /** The environment's state directory; the controller's files go below it. */
  readonly dir: string;
}

interface PodTemplate {
  securityContext: { runAsUser: number; runAsGroup: number };
  containers: { args: string[] }[];
}

/** `helm install` of the chart as a user would, namespaced to nothing (cluster-wide), one replica. */
async function installChart(opts: ControllerOptions): Promise<PodTemplate> {
  const home = join(opts.dir, 'helm');
  await mkdir(home, { recursive: true });
  const env = { ...process.env, KUBECONFIG: opts.kubeconfigPath, HELM_CACHE_HOME: join(home, 'cache'), HELM_CONFIG_HOME: join(home, 'config'), HELM_DATA_HOME: join(home, 'data') };
  const values = join(home, 'values.json');
  await writeFile(values, JSON.stringify({ crds: { enabled: false }, replicaCount: 1, logFormat: 'text' }));
  const helm = (...args: string[]) => run(join(opts.binDir, 'helm'), args, { env, maxBuffer: 32 * MiB });
  await helm('install', RELEASE, join(REPO_ROOT, 'charts', 'cert-deployer'), '--namespace', RELEASE_NAMESPACE, '--create-namespace', '-f', values);
  const { stdout } = await helm('get', 'manifest', RELEASE, '--namespace', RELEASE_NAMESPACE);
  const deployment = parseAllDocuments(stdout).map((d) => d.toJS() as { kind?: string; spec?: { template: { spec: PodTemplate } } } | null)
    .find((m) => m?.kind === 'Deployment');
  if (deployment?.spec === undefined) throw new Error('the chart rendered no Deployment');
  return deployment.spec.template.spec;
}

/** A bound token of the chart's ServiceAccount, as the kubelet would mount it. */
async function serviceAccountToken(opts: ControllerOptions): Promise<string> {
  const { stdout } = await run(join(opts.binDir, 'kubectl'), ['--kubeconfig', opts.kubeconfigPath, 'create', 'token', RELEASE, '-n', RELEASE_NAMESPACE, '--duration', '8760h']);
  return stdout.trim();
}

/** The kubeconfig a process-mode controller uses: the ServiceAccount's token, not the admin's. */
function tokenKubeconfig(server: string, ca: string, token: string): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'sa',
    clusters: [{ name: 'local', cluster: { server, 'certificate-authority-data': Buffer.from(ca).toString('base64') } }],
    users: [{ name: RELEASE, user: { token } }],
    contexts: [{ name: 'sa', context: { cluster: 'local', user: RELEASE, namespace: RELEASE_NAMESPACE } }],
  });
}

async function waitReady(address: string, alive: () => boolean, log: () => Promise<string>): Promise<void> {
  const until = Date.now() + 180_000;
  while (Date.now() < until) {
    if (!alive()) throw new Error(`the controller exited before it was ready:\n${(await log()).slice(-4000)}`);
    if ((await fetch(`http://${address}/readyz`).catch(() => undefined))?.status === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the controller was not ready within 180 s:\n${(await log()).slice(-4000)}`);
}

/** Installs the chart and starts its controller in `opts.mode`; resolves once /readyz answers 200. */
export async function startController(opts: ControllerOptions): Promise<RunningController> {
  const pod = await installChart(opts);
  const kc = new KubeConfig();
  kc.loadFromFile(opts.kubeconfigPath);
  const cluster = kc.getCurrentCluster()!;
  const ca = Buffer.from(cluster.caData!, 'base64').toString();
  const token = await serviceAccountToken(opts);
  const port = await freePort();
  const metricsAddress = `127.0.0.1:${port}`;
  // The chart binds 0.0.0.0:8080 inside a pod's own network; here the host's, so only the port moves.
  const args = pod.containers[0]!.args.map((a) => (a.startsWith('--metrics-bind-address=') ? `--metrics-bind-address=${metricsAddress}` : a));
  const podEnv = [`POD_NAME=${RELEASE}-local`, `POD_NAMESPACE=${RELEASE_NAMESPACE}`];
  const dir = join(opts.dir, 'controller');
  await mkdir(dir);

  if (opts.mode === 'image') {
    const image = await imageUnderTest();
    const server = new URL(cluster.server);
    const spec = runtimeSpec(image.process, {
      rootfs: image.rootfs,
      args,
      env: [`KUBERNETES_SERVICE_HOST=${server.hostname}`, `KUBERNETES_SERVICE_PORT=${server.port}`, ...podEnv],
      serviceAccountDir: await writeServiceAccountVolume(dir, { token, ca, namespace: RELEASE_NAMESPACE }, pod.securityContext.runAsUser),
      uid: pod.securityContext.runAsUser,
      gid: pod.securityContext.runAsGroup,
      memoryLimitBytes: 512 * MiB,
      tmpBytes: 64 * MiB,
    });
    const container = await runContainer(spec, dir, 'local');
    let up = true;
    void container.exited.then(() => (up = false));
    await waitReady(metricsAddress, () => up, () => container.log()).catch(async (err: unknown) => {
      await container.stop(5_000);
      throw err;
    });
    return {
      mode: 'image',
      description: `image ${image.meta.ref} under runc (uid ${pod.securityContext.runAsUser}, read-only root, no capabilities; container ${container.id})`,
      metricsAddress,
      exited: container.exited,
      log: () => container.log(),
      stop: () => container.stop(30_000),
    };
  }

  const kubeconfig = join(dir, 'serviceaccount.kubeconfig');
  await writeFile(kubeconfig, tokenKubeconfig(cluster.server, ca, token), { mode: 0o600 });
  const env = { ...process.env, ...Object.fromEntries(podEnv.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])) };
  const proc = startManaged('controller', process.execPath, ['--import', SDK_FROM_SOURCE, join(REPO_ROOT, 'src', 'main.ts'), '--kubeconfig', kubeconfig, ...args], join(dir, 'controller.log'), env);
  let up = true;
  void proc.exited.then(() => (up = false));
  const log = () => readFile(proc.logPath, 'utf8').catch(() => '');
  await waitReady(metricsAddress, () => up, log).catch(async (err: unknown) => {
    await proc.stop();
    throw err;
  });
  return {
    mode: 'process',
    description: `process ${process.execPath} src/main.ts (pid ${proc.pid}) as ServiceAccount ${RELEASE_NAMESPACE}/${RELEASE}`,
    metricsAddress,
    exited: proc.exited,
    log,
    stop: () => proc.stop(30_000),
  };
}

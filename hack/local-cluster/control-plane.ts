/**
 * A real Kubernetes control plane for tests and the local demo: etcd and kube-apiserver,
 * built from Go modules by hack/local-cluster/k8s/build.sh, on free loopback ports, with their own
 * PKI, an admin kubeconfig, and a teardown that removes every process and temp directory.
 * No kube-controller-manager runs: namespaces never finish terminating and ownerReferences
 * are not garbage-collected, so tests isolate themselves with fresh namespaces.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startManaged, type ManagedProcess } from './child-process.ts';
import { createPki } from './pki.ts';
import { freePorts } from './ports.ts';
import { probe, waitReady } from './readiness.ts';

export interface ControlPlaneOptions {
  /** Directory holding `etcd` and `kube-apiserver` (CD_K8S_BIN_DIR from hack/lib.sh). */
  readonly binDir: string;
  /** How long to wait for readiness; a cold start takes a few seconds. */
  readonly readyTimeoutMs?: number;
}

export interface ControlPlane {
  readonly server: string;
  readonly kubeconfigPath: string;
  readonly dir: string;
  /** Milliseconds from start() to /readyz answering 200. */
  readonly startupMs: number;
  /** Stops kube-apiserver (etcd keeps the data) and starts it again on the same port. */
  restartApiServer(downMs?: number): Promise<void>;
  /**
   * Stops etcd (SIGTERM, or SIGKILL with `kill`), waits `downMs`, and starts it again on the
   * same ports and data directory; kube-apiserver keeps running and reconnects by itself.
   */
  restartEtcd(downMs?: number, opts?: { kill?: boolean }): Promise<void>;
  /** Pids of the running etcd and kube-apiserver (for fault runs that signal them). */
  pids(): { etcd: number; apiserver: number };
  stop(): Promise<void>;
}

function kubeconfig(server: string, ca: string, cert: string, key: string): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return [
    'apiVersion: v1', 'kind: Config', 'current-context: cert-deployer-local', 'preferences: {}',
    'clusters:', '- name: cert-deployer-local', '  cluster:', `    server: ${server}`, `    certificate-authority-data: ${b64(ca)}`,
    'users:', '- name: admin', '  user:', `    client-certificate-data: ${b64(cert)}`, `    client-key-data: ${b64(key)}`,
    'contexts:', '- name: cert-deployer-local', '  context:', '    cluster: cert-deployer-local', '    user: admin', '',
  ].join('\n');
}

const PREFIX = 'cert-deployer-cp-';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes temp directories left by runs that crashed (their owner pid is gone). The processes
 * themselves already died with their parent (pdeathsig); only the files can remain.
 */
async function sweepStale(): Promise<void> {
  for (const name of await readdir(tmpdir()).catch(() => [] as string[])) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = join(tmpdir(), name);
    const owner = Number((await readFile(join(dir, 'owner.pid'), 'utf8').catch(() => '')).trim());
    if (Number.isInteger(owner) && owner > 0 && !alive(owner)) await rm(dir, { recursive: true, force: true });
  }
}

/** Starts etcd, then kube-apiserver, and waits until `/readyz` answers. */
export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const t0 = performance.now();
  await sweepStale();
  const dir = await mkdtemp(join(tmpdir(), PREFIX));
  await writeFile(join(dir, 'owner.pid'), String(process.pid));
  const procs: ManagedProcess[] = [];
  const stop = async () => {
    for (const p of procs.reverse()) await p.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const pki = await createPki(dir);
    const [etcdClient, etcdPeer, apiPort] = await freePorts(3);
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const peerUrl = `http://127.0.0.1:${etcdPeer}`;
    const etcdArgs = [
      '--name', 'cd', '--data-dir', join(dir, 'etcd'),
      '--listen-client-urls', etcdUrl, '--advertise-client-urls', etcdUrl,
      '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', `cd=${peerUrl}`, '--unsafe-no-fsync', '--log-level', 'warn',
    ];
    const startEtcd = async (n: number) => {
      const etcd = startManaged('etcd', join(opts.binDir, 'etcd'), etcdArgs, join(dir, n === 0 ? 'etcd.log' : `etcd-${n}.log`));
      procs.push(etcd);
      let etcdUp = true;
      void etcd.exited.then(() => (etcdUp = false));
      await waitReady(`${etcdUrl}/health`, { deadlineMs: opts.readyTimeoutMs ?? 60_000, alive: () => etcdUp })
        .catch(async (e: Error) => { throw new Error(`${e.message}\n--- etcd log ---\n${await etcd.tail()}`); });
      return etcd;
    };
    let etcd = await startEtcd(0);
    let etcdRestarts = 0;
    const restartEtcd = async (downMs = 0, o: { kill?: boolean } = {}) => {
      await etcd.stop(o.kill === true ? 0 : 5000);
      procs.splice(procs.indexOf(etcd), 1);
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      etcd = await startEtcd(++etcdRestarts);
    };

    const server = `https://127.0.0.1:${apiPort}`;
    const apiArgs = [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${apiPort}`,
      `--tls-cert-file=${pki.servingCert}`, `--tls-private-key-file=${pki.servingKey}`, `--cert-dir=${join(dir, 'certs')}`,
      `--client-ca-file=${pki.caCert}`, '--authorization-mode=RBAC',
      `--service-account-issuer=${server}`, `--service-account-key-file=${pki.saPub}`,
      `--service-account-signing-key-file=${pki.saKey}`,
      '--service-cluster-ip-range=10.0.0.0/24', '--disable-admission-plugins=ServiceAccount',
      '--allow-privileged=true', '--endpoint-reconciler-type=none', '--v=0',
    ];
    const [ca, cert, key] = await Promise.all([pki.caCert, pki.adminCert, pki.adminKey].map((f) => readFile(f, 'utf8')));
    const startApi = async (n: number) => {
      const api = startManaged('kube-apiserver', join(opts.binDir, 'kube-apiserver'), apiArgs, join(dir, `kube-apiserver-${n}.log`));
      procs.push(api);
      let apiUp = true;
      void api.exited.then(() => (apiUp = false));
      await waitReady(`${server}/readyz`, { auth: { ca: ca!, cert: cert!, key: key! }, deadlineMs: opts.readyTimeoutMs ?? 90_000, alive: () => apiUp })
        .catch(async (e: Error) => { throw new Error(`${e.message}\n--- kube-apiserver log ---\n${await api.tail()}`); });
      return api;
    };
    let api = await startApi(0);
    let restarts = 0;
    const restartApiServer = async (downMs = 0) => {
      await api.stop();
      procs.splice(procs.indexOf(api), 1);
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      api = await startApi(++restarts);
    };

    const kubeconfigPath = join(dir, 'kubeconfig');
    await writeFile(kubeconfigPath, kubeconfig(server, ca!, cert!, key!), { mode: 0o600 });
    const pids = () => ({ etcd: etcd.pid, apiserver: api.pid });
    return { server, kubeconfigPath, dir, startupMs: Math.round(performance.now() - t0), restartApiServer, restartEtcd, pids, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export { probe };

/**
 * The target of the local environment, reached the way a cluster install reaches a web server:
 * a real nginx serving TLS on this machine, a real sshd in front of it, and, in the cluster, what
 * a tenant and a platform admin would have created before the first `kubectl apply`: namespace
 * `shop`, the TLS Secret cert-manager would write (a fresh test CA and leaf), the SSH login key
 * Secret, and the DeploymentPolicy granting exactly this host (examples/deployment-policy.yaml,
 * rendered). Every other namespace stays denied by default.
 */
import { mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { mintChain, startSshd, type Sshd } from '@cert-deployer/connector-sdk/testing';
import { putTlsSecret } from '../local-cluster/kube-objects.ts';
import { nginxSpec } from '../local-cluster/targets/nginx.ts';
import { startWebServer, type WebServer } from '../local-cluster/targets/web-server.ts';
import { renderExample, type LocalTarget } from './examples.ts';

const REPO_ROOT = join(import.meta.dirname, '..', '..');
/** The examples rendered for this machine, in the order they are offered. */
export const EXAMPLES = ['nginx-over-ssh.yaml', 'file-deployment.yaml'] as const;
export const POLICY_EXAMPLE = 'deployment-policy.yaml';
export const NAMESPACE = 'shop';
export const SERVER_NAME = 'shop.example.com';

export interface RunningTarget {
  readonly sshd: Sshd;
  readonly nginx: WebServer;
  readonly local: LocalTarget;
  /** Rendered example path by example file name (policy included). */
  readonly examples: Readonly<Record<string, string>>;
  /** The test CA the sample certificate chains to, as a file (for curl --cacert). */
  readonly caPath: string;
  stop(): Promise<void>;
}

export interface TargetOptions {
  readonly dir: string;
  readonly core: CoreV1Api;
  readonly objects: CustomObjectsApi;
}

/** Creates the namespace, or leaves it when it exists. */
async function ensureNamespace(core: CoreV1Api, name: string): Promise<void> {
  await core.createNamespace({ body: { metadata: { name } } }).catch((err: { code?: number }) => {
    if (err.code !== 409) throw err;
  });
}

/** Starts sshd and nginx, creates the tenant's and the admin's objects, renders the examples. */
export async function startTarget(opts: TargetOptions): Promise<RunningTarget> {
  const dir = await realpath(opts.dir);
  const tlsDir = join(dir, 'nginx', 'tls');
  const filesDir = join(dir, 'files');
  await mkdir(tlsDir, { recursive: true });
  await mkdir(filesDir, { recursive: true });
  const sshd = await startSshd();
  let nginx: WebServer | undefined;
  try {
    nginx = await startWebServer(nginxSpec, { dir: join(dir, 'nginx'), files: { certificatePath: join(tlsDir, 'shop.crt'), privateKeyPath: join(tlsDir, 'shop.key') } });
    const local: LocalTarget = {
      sshAddress: sshd.address,
      sshUser: sshd.user,
      hostKey: sshd.hostKey.publicLine,
      nginxCertificatePath: nginx.files.certificatePath,
      nginxPrivateKeyPath: nginx.files.privateKeyPath,
      filesDir,
      configTest: nginx.configTestArgv,
      reload: nginx.reloadArgv,
      tlsAddress: nginx.address,
    };
    const examplesDir = join(dir, 'examples');
    await mkdir(examplesDir);
    const examples: Record<string, string> = {};
    for (const name of [POLICY_EXAMPLE, ...EXAMPLES]) {
      const text = renderExample(await readFile(join(REPO_ROOT, 'examples', name), 'utf8'), `examples/${name}`, local);
      examples[name] = join(examplesDir, name);
      await writeFile(examples[name], text);
    }

    // What exists before a tenant's first apply: the namespace and its two Secrets ...
    await ensureNamespace(opts.core, NAMESPACE);
    const chain = await mintChain({ name: 'Local', dnsNames: [SERVER_NAME] });
    await putTlsSecret(opts.core, NAMESPACE, 'shop-web-tls', chain.chainPem.slice(0, -1).join(''), chain.keyPem, chain.rootPem);
    await opts.core.createNamespacedSecret({
      namespace: NAMESPACE,
      body: { metadata: { name: 'edge-ssh' }, type: 'kubernetes.io/ssh-auth', stringData: { 'ssh-privatekey': sshd.clientKey.privateKey } },
    });
    // ... and the platform admin's grant (cluster-scoped; tenants cannot write it).
    const policy = parse(await readFile(examples[POLICY_EXAMPLE]!, 'utf8')) as { metadata: { name: string }; spec: unknown };
    await opts.objects.createClusterCustomObject({ group: 'certdeployer.io', version: 'v1alpha1', plural: 'deploymentpolicies', body: policy });
    const caPath = join(dir, 'test-ca.crt');
    await writeFile(caPath, chain.rootPem);

    const running = nginx;
    return {
      sshd,
      nginx: running,
      local,
      examples,
      caPath,
      async stop() {
        await running.stop();
        await sshd.stop();
      },
    };
  } catch (err) {
    await nginx?.stop();
    await sshd.stop();
    throw err;
  }
}

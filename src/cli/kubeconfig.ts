/**
 * Finding and checking the kubeconfig before anything talks to the API server, so a process
 * without one stops at once with a sentence saying what to do (exit code 2) instead of
 * retrying "Invalid URL" forever. Precedence is controller-runtime's: --kubeconfig (or
 * KUBECONFIG), then the in-cluster service account, then ~/.kube/config.
 *
 * The controller loads it with {@link loadKubeConnection}: a service account or a plain
 * kubeconfig (CA, client certificate, token) becomes a lean KubeAccess without client-node;
 * anything else is handed to client-node's KubeConfig, loaded on demand. The kubectl plugin
 * uses {@link loadKubeConfig} (client-node's KubeConfig, always).
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { CertDeployerError, ErrorCode, hasCode } from '../core/errors.ts';
import { leanAccess, type KubeConnection, type LeanCredentials } from '../controller/runtime/kube-access.ts';

/** The in-cluster service account token that `loadFromCluster` authenticates with. */
export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** No usable kubeconfig; the message tells the operator what to do. */
export class KubeconfigError extends CertDeployerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.Kubeconfig, message, { retryable: false, cause: options?.cause });
    this.name = 'KubeconfigError';
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasCode(value, ErrorCode.Kubeconfig);
  }
}

/** What the environment offers. */
export interface KubeconfigEnvironment {
  /** --kubeconfig or KUBECONFIG (first path of a list). */
  readonly explicit?: string | undefined;
  readonly serviceHost?: string | undefined;
  readonly servicePort?: string | undefined;
  readonly tokenExists: boolean;
  /** ~/.kube/config when it exists. */
  readonly homeConfig?: string | undefined;
  /** `controller` (default): in-cluster before ~/.kube/config; `kubectl`: the other way round. */
  readonly order?: 'controller' | 'kubectl';
}

export type KubeconfigSource = { readonly kind: 'file'; readonly path: string } | { readonly kind: 'cluster' } | { readonly kind: 'none'; readonly problem: string };

const WHAT_TO_DO = 'pass --kubeconfig PATH (or set KUBECONFIG), or run the controller in a pod with a service account';

/** Pure choice of the source, with the reason when there is none. */
export function chooseKubeconfig(e: KubeconfigEnvironment): KubeconfigSource {
  if (e.explicit) return { kind: 'file', path: e.explicit };
  if (e.order === 'kubectl' && e.homeConfig) return { kind: 'file', path: e.homeConfig };
  if (e.serviceHost && e.servicePort) {
    if (e.tokenExists) return { kind: 'cluster' };
    return { kind: 'none', problem: `in a cluster (KUBERNETES_SERVICE_HOST is set) but the service account token ${SERVICE_ACCOUNT_TOKEN} is missing: set automountServiceAccountToken or mount a projected token, or ${WHAT_TO_DO}` };
  }
  if (e.homeConfig) return { kind: 'file', path: e.homeConfig };
  return { kind: 'none', problem: `no kubeconfig: not running in a cluster (KUBERNETES_SERVICE_HOST is unset), no --kubeconfig or KUBECONFIG, and no ~/.kube/config; ${WHAT_TO_DO}` };
}

/** What {@link kubeconfigProblem} reads of a loaded kubeconfig (client-node's or the lean view). */
export type KubeconfigView = { getCurrentContext(): string; getCurrentCluster(): { name: string; server: string } | null };

/** Pure check of a loaded kubeconfig: the current context must name a cluster with an http(s) server. */
export function kubeconfigProblem(kc: KubeconfigView, origin: string): string | undefined {
  const context = kc.getCurrentContext();
  if (!context) return `${origin} has no current-context: run kubectl config use-context NAME --kubeconfig ${origin}, or pass another --kubeconfig`;
  const cluster = kc.getCurrentCluster();
  if (!cluster) return `${origin}: context ${JSON.stringify(context)} names no cluster that the file defines; fix the context or pass another --kubeconfig`;
  let url: URL;
  try {
    url = new URL(cluster.server);
  } catch {
    return `${origin}: cluster ${JSON.stringify(cluster.name)} has no valid server URL (got ${JSON.stringify(cluster.server ?? '')}); set clusters[].cluster.server to https://HOST:PORT`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `${origin}: cluster ${JSON.stringify(cluster.name)} server ${cluster.server} is not http(s)`;
  return undefined;
}

function resolveSource(explicit: string | undefined, env: Readonly<Record<string, string | undefined>>, order: 'controller' | 'kubectl'): Exclude<KubeconfigSource, { kind: 'none' }> {
  const home = join(env.HOME || homedir(), '.kube', 'config');
  const source = chooseKubeconfig({
    explicit: explicit?.split(':').find(Boolean), serviceHost: env.KUBERNETES_SERVICE_HOST, servicePort: env.KUBERNETES_SERVICE_PORT,
    tokenExists: existsSync(SERVICE_ACCOUNT_TOKEN), homeConfig: existsSync(home) ? home : undefined, order,
  });
  if (source.kind === 'none') throw new KubeconfigError(source.problem);
  return source;
}

const unusable = (path: string, err: unknown): KubeconfigError => {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable by this user' : `cannot be used (${(err as Error).message.split('\n')[0]})`;
  return new KubeconfigError(`kubeconfig ${path} ${why}; pass --kubeconfig with the path of a valid kubeconfig`, { cause: err });
};

/** Reads the environment, loads the chosen kubeconfig with client-node and checks it; throws {@link KubeconfigError}. */
export async function loadKubeConfig(explicit: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env, order: 'controller' | 'kubectl' = 'controller'): Promise<KubeConfig> {
  const source = resolveSource(explicit, env, order);
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  if (source.kind === 'cluster') {
    kc.loadFromCluster();
    const problem = kubeconfigProblem(kc, 'the in-cluster configuration');
    if (problem) throw new KubeconfigError(problem);
    return kc;
  }
  try {
    kc.loadFromFile(source.path);
  } catch (err) {
    throw unusable(source.path, err);
  }
  const problem = kubeconfigProblem(kc, source.path);
  if (problem) throw new KubeconfigError(problem);
  return kc;
}

/** The service account's CA, next to its token. */
const SERVICE_ACCOUNT_CA = '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt';
/** Cluster and user keys the lean path implements; any other key sends the file to client-node. */
const LEAN_CLUSTER_KEYS = new Set(['server', 'certificate-authority', 'certificate-authority-data', 'insecure-skip-tls-verify', 'tls-server-name', 'extensions']);
const LEAN_USER_KEYS = new Set(['client-certificate', 'client-certificate-data', 'client-key', 'client-key-data', 'token', 'token-file', 'extensions']);

type Named<T> = { name?: string; [k: string]: unknown } & T;
type RawKubeconfig = {
  'current-context'?: string;
  contexts?: Named<{ context?: { cluster?: string; user?: string } }>[];
  clusters?: Named<{ cluster?: Record<string, unknown> }>[];
  users?: Named<{ user?: Record<string, unknown> }>[];
};

/**
 * The lean credentials of a parsed kubeconfig, or undefined when it uses anything the lean
 * path does not implement (exec or auth-provider plugins, basic auth, impersonation, proxies):
 * those keep client-node's behaviour. Pure apart from reading the files the kubeconfig names.
 */
export function leanCredentials(raw: RawKubeconfig, baseDir: string): (LeanCredentials & { view: KubeconfigView }) | undefined {
  const contextName = raw['current-context'] ?? '';
  const context = raw.contexts?.find((c) => c.name === contextName)?.context;
  const clusterEntry = raw.clusters?.find((c) => c.name === context?.cluster);
  const view: KubeconfigView = {
    getCurrentContext: () => contextName,
    getCurrentCluster: () => (clusterEntry ? { name: String(clusterEntry.name ?? ''), server: String(clusterEntry.cluster?.server ?? '') } : null),
  };
  const cluster = clusterEntry?.cluster ?? {};
  const user = raw.users?.find((u) => u.name === context?.user)?.user ?? {};
  if (Object.keys(cluster).some((k) => !LEAN_CLUSTER_KEYS.has(k)) || Object.keys(user).some((k) => !LEAN_USER_KEYS.has(k))) return undefined;
  const file = (p: unknown): string => readFileSync(isAbsolute(String(p)) ? String(p) : join(baseDir, String(p)), 'utf8');
  const pem = (data: unknown, path: unknown): string | undefined => (typeof data === 'string' && data !== '' ? Buffer.from(data, 'base64').toString('utf8') : typeof path === 'string' && path !== '' ? file(path) : undefined);
  const token = typeof user.token === 'string' && user.token !== '' ? user.token : typeof user['token-file'] === 'string' ? file(user['token-file']).trim() : undefined;
  return {
    view,
    server: String(cluster.server ?? ''),
    ca: pem(cluster['certificate-authority-data'], cluster['certificate-authority']),
    skipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    tlsServerName: typeof cluster['tls-server-name'] === 'string' ? cluster['tls-server-name'] : undefined,
    cert: pem(user['client-certificate-data'], user['client-certificate']),
    key: pem(user['client-key-data'], user['client-key']),
    token,
  };
}

/**
 * The controller's connection: in a pod, the service account (token re-read every minute, as
 * client-node does); from a kubeconfig the lean access when {@link leanCredentials} covers it,
 * else client-node's KubeConfig. Same sources, checks and messages as {@link loadKubeConfig}.
 */
export async function loadKubeConnection(explicit: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): Promise<KubeConnection> {
  const source = resolveSource(explicit, env, 'controller');
  if (source.kind === 'cluster') {
    const host = env.KUBERNETES_SERVICE_HOST ?? '';
    const port = env.KUBERNETES_SERVICE_PORT ?? '';
    const scheme = port === '80' || port === '8080' || port === '8001' ? 'http' : 'https';
    const server = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const problem = kubeconfigProblem({ getCurrentContext: () => 'inClusterContext', getCurrentCluster: () => ({ name: 'inCluster', server }) }, 'the in-cluster configuration');
    if (problem) throw new KubeconfigError(problem);
    return leanAccess({ server, ca: existsSync(SERVICE_ACCOUNT_CA) ? readFileSync(SERVICE_ACCOUNT_CA, 'utf8') : undefined, tokenFile: SERVICE_ACCOUNT_TOKEN });
  }
  let lean: ReturnType<typeof leanCredentials>;
  try {
    lean = leanCredentials((parse(readFileSync(source.path, 'utf8')) ?? {}) as RawKubeconfig, dirname(source.path));
  } catch (err) {
    throw unusable(source.path, err);
  }
  if (lean === undefined) return loadKubeConfig(source.path, env, 'controller');
  const problem = kubeconfigProblem(lean.view, source.path);
  if (problem) throw new KubeconfigError(problem);
  return leanAccess(lean);
}

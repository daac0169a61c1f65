/**
 * Finding and checking the kubeconfig before anything talks to the API server, so a process
 * without one stops at once with a sentence saying what to do (exit code 2) instead of
 * retrying "Invalid URL" forever. Precedence is controller-runtime's: --kubeconfig (or
 * KUBECONFIG), then the in-cluster service account, then ~/.kube/config.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { CertDeployerError, ErrorCode, hasCode } from '../core/errors.ts';

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

/** Pure check of a loaded kubeconfig: the current context must name a cluster with an http(s) server. */
export function kubeconfigProblem(kc: KubeConfig, origin: string): string | undefined {
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

/** Reads the environment, loads the chosen kubeconfig and checks it; throws {@link KubeconfigError}. */
export function loadKubeConfig(explicit: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env, order: 'controller' | 'kubectl' = 'controller'): KubeConfig {
  const home = join(env.HOME || homedir(), '.kube', 'config');
  const source = chooseKubeconfig({
    explicit: explicit?.split(':').find(Boolean), serviceHost: env.KUBERNETES_SERVICE_HOST, servicePort: env.KUBERNETES_SERVICE_PORT,
    tokenExists: existsSync(SERVICE_ACCOUNT_TOKEN), homeConfig: existsSync(home) ? home : undefined, order,
  });
  if (source.kind === 'none') throw new KubeconfigError(source.problem);
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
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable by this user' : `cannot be used (${(err as Error).message.split('\n')[0]})`;
    throw new KubeconfigError(`kubeconfig ${source.path} ${why}; pass --kubeconfig with the path of a valid kubeconfig`, { cause: err });
  }
  const problem = kubeconfigProblem(kc, source.path);
  if (problem) throw new KubeconfigError(problem);
  return kc;
}

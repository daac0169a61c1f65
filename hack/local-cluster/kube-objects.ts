/**
 * The few Kubernetes object helpers the demo (and the tests) use against a local control
 * plane: clients from a kubeconfig, a TLS Secret, a CertificateDeployment, its Ready
 * condition, and a poll-until helper. Plain API calls, no controller internals.
 */
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION } from '../../src/crds/names.ts';
import type { DeploymentStatus } from '../../src/crds/status.ts';

/** A kubeconfig loaded from `kubeconfigPath`, with the two clients the helpers below take. */
export function kubeClients(kubeconfigPath: string) {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return { kc, core: kc.makeApiClient(CoreV1Api), objects: kc.makeApiClient(CustomObjectsApi) };
}

/** Creates or replaces a kubernetes.io/tls Secret. */
export async function putTlsSecret(core: CoreV1Api, namespace: string, name: string, crt: string, key: string, ca?: string): Promise<void> {
  const data: Record<string, string> = { 'tls.crt': Buffer.from(crt).toString('base64'), 'tls.key': Buffer.from(key).toString('base64') };
  if (ca) data['ca.crt'] = Buffer.from(ca).toString('base64');
  const body = { metadata: { name, namespace }, type: 'kubernetes.io/tls', data };
  try {
    await core.replaceNamespacedSecret({ name, namespace, body });
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
    await core.createNamespacedSecret({ namespace, body });
  }
}

type CdObject = { metadata: { generation: number; finalizers?: string[]; resourceVersion: string }; spec: Record<string, unknown>; status?: DeploymentStatus };

export async function getDeployment(objects: CustomObjectsApi, namespace: string, name: string): Promise<CdObject> {
  return (await objects.getNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace, name })) as CdObject;
}

export async function createDeployment(objects: CustomObjectsApi, namespace: string, name: string, spec: Record<string, unknown>): Promise<void> {
  await objects.createNamespacedCustomObject({
    group: GROUP, version: VERSION, plural: PLURAL, namespace,
    body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'CertificateDeployment', metadata: { name }, spec },
  });
}

/** Polls until `check` returns a value (not undefined) or `timeoutMs` passes. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The Ready condition of a deployment, once its observedGeneration caught up. */
export async function readyOf(objects: CustomObjectsApi, namespace: string, name: string) {
  const d = await getDeployment(objects, namespace, name);
  const c = d.status?.conditions?.find((x) => x.type === 'Ready');
  return c && d.status?.observedGeneration === d.metadata.generation
    ? { ready: c.status, reason: c.reason, message: c.message, status: d.status, object: d }
    : undefined;
}

/** Waits until the CertificateDeployment is gone (finalizers done), e.g. after a delete. */
export async function waitDeploymentGone(objects: CustomObjectsApi, namespace: string, name: string, timeoutMs = 60_000): Promise<void> {
  await eventually(async () => {
    try {
      await getDeployment(objects, namespace, name);
      return undefined;
    } catch (err) {
      return (err as { code?: number }).code === 404 ? true : undefined;
    }
  }, timeoutMs, `${namespace}/${name} to be gone`);
}

/**
 * KubePort over plain JSON requests (runtime/kube-rest.ts): our kind and Secrets as untyped
 * JSON (typed models would drop unknown fields), status through the status subresource
 * with conflict retries (runtime/status-writer.ts), and a JSON Patch with a `test` op for
 * finalizers so a concurrent change fails instead of being lost.
 */
import { GROUP, PLURAL, VERSION } from '../crds/names.ts';
import type { DeploymentStatus } from '../crds/status.ts';
import type { KubePort } from './kube-port.ts';
import type { CertificateDeploymentObject, SecretObject } from './kube-types.ts';
import { accessOf, type KubeConnection } from './runtime/kube-access.ts';
import { isNotFound } from './runtime/kube-errors.ts';
import { kubeRequest, objectPath, PatchType } from './runtime/kube-rest.ts';
import { realClock, withTimeout, type Clock } from '../core/clock.ts';
import { customObjectStatusClient, writeStatus } from './runtime/status-writer.ts';

const REQUEST_TIMEOUT_MS = 30_000;

/** Builds the port from a connection; `fieldManager` names this controller in managedFields. */
export function createKubeClient(kc: KubeConnection, fieldManager = 'cert-deployer', clock: Clock = realClock): KubePort {
  const access = accessOf(kc);
  const ref = (obj: CertificateDeploymentObject) => ({ group: GROUP, version: VERSION, plural: PLURAL, namespace: obj.metadata.namespace, name: obj.metadata.name });
  const call = <T>(what: string, fn: (signal: AbortSignal) => Promise<T>) => withTimeout(clock, REQUEST_TIMEOUT_MS, undefined, fn, what);

  return {
    async getSecret(namespace, name): Promise<SecretObject | null> {
      try {
        type Secret = { metadata?: { resourceVersion?: string }; type?: string; data?: Record<string, string> };
        const s = await call(`GET Secret ${namespace}/${name}`, (signal) => kubeRequest<Secret>(access, 'GET', objectPath({ version: 'v1', plural: 'secrets', namespace, name }), { signal }));
        return { metadata: { name, namespace, resourceVersion: s.metadata?.resourceVersion }, type: s.type, data: s.data ?? {} };
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    },
    async patchStatus(obj, compose) {
      // PUT /status with the cached resourceVersion; on 409 re-read and compose again from the
      // fresh object. A stale leader's write therefore fails instead of silently replacing a
      // newer status, and no retry ever writes a status computed from the stale object.
      const client = customObjectStatusClient<CertificateDeploymentObject & { status?: DeploymentStatus }>(access, ref(obj));
      const result = await withTimeout(clock, REQUEST_TIMEOUT_MS, undefined, (signal) => writeStatus({
        client,
        current: structuredClone(obj),
        mutate: (o) => {
          const next = compose(o.status ?? {});
          if (next === undefined || JSON.stringify(o.status ?? {}) === JSON.stringify(next)) return false;
          (o as { status?: DeploymentStatus }).status = next;
          return true;
        },
        clock,
        signal,
      }), 'status write');
      return result.written;
    },
    async setFinalizers(obj, finalizers) {
      const current = obj.metadata.finalizers;
      const body = current === undefined
        ? [{ op: 'add', path: '/metadata/finalizers', value: finalizers }]
        : [{ op: 'test', path: '/metadata/finalizers', value: current }, { op: 'replace', path: '/metadata/finalizers', value: finalizers }];
      await call('finalizer patch', (signal) => kubeRequest(access, 'PATCH', objectPath(ref(obj)), { body, query: { fieldManager }, contentType: PatchType.JsonPatch, signal }));
    },
  };
}

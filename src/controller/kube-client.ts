/**
 * KubePort over @kubernetes/client-node: the untyped custom-objects API for our kind (typed
 * models would drop unknown fields), CoreV1 for Secrets, status through the status subresource
 * with conflict retries (runtime/status-writer.ts), and a JSON Patch with a `test` op for
 * finalizers so a concurrent change fails instead of being lost.
 */
import { CoreV1Api, CustomObjectsApi, PatchStrategy, type KubeConfig } from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION } from '../crds/names.ts';
import type { DeploymentStatus } from '../crds/status.ts';
import type { KubePort } from './kube-port.ts';
import type { CertificateDeploymentObject, SecretObject } from './kube-types.ts';
import { isNotFound } from './runtime/kube-errors.ts';
import { requestOptions } from './runtime/request-options.ts';
import { realClock, withTimeout, type Clock } from '../core/clock.ts';
import { customObjectStatusClient, writeStatus } from './runtime/status-writer.ts';

const REQUEST_TIMEOUT_MS = 30_000;

/** Builds the port from a KubeConfig; `fieldManager` names this controller in managedFields. */
export function createKubeClient(kc: KubeConfig, fieldManager = 'cert-deployer', clock: Clock = realClock): KubePort & { readonly objects: CustomObjectsApi } {
  const objects = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  const ref = (obj: CertificateDeploymentObject) => ({ group: GROUP, version: VERSION, plural: PLURAL, namespace: obj.metadata.namespace, name: obj.metadata.name });
  const call = <T>(what: string, fn: (o: ReturnType<typeof requestOptions>) => Promise<T>, contentType?: PatchStrategy) =>
    withTimeout(clock, REQUEST_TIMEOUT_MS, undefined, (signal) => fn(requestOptions({ signal, ...(contentType ? { contentType } : {}) })), what);

  return {
    objects,
    async getSecret(namespace, name): Promise<SecretObject | null> {
      try {
        const s = await call(`GET Secret ${namespace}/${name}`, (o) => core.readNamespacedSecret({ namespace, name }, o));
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
      const client = customObjectStatusClient<CertificateDeploymentObject & { status?: DeploymentStatus }>(kc, ref(obj));
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
      await call('finalizer patch', (o) => objects.patchNamespacedCustomObject({ ...ref(obj), body, fieldManager }, o), PatchStrategy.JsonPatch);
    },
  };
}

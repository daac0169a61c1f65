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
import { customObjectStatusClient, writeStatus } from './runtime/status-writer.ts';

const REQUEST_TIMEOUT_MS = 30_000;

/** Builds the port from a KubeConfig; `fieldManager` names this controller in managedFields. */
export function createKubeClient(kc: KubeConfig, fieldManager = 'cert-deployer'): KubePort & { readonly objects: CustomObjectsApi } {
  const objects = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  const ref = (obj: CertificateDeploymentObject) => ({ group: GROUP, version: VERSION, plural: PLURAL, namespace: obj.metadata.namespace, name: obj.metadata.name });
  const opts = (contentType?: PatchStrategy) => requestOptions({ signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), ...(contentType ? { contentType } : {}) });

  return {
    objects,
    async getSecret(namespace, name): Promise<SecretObject | null> {
      try {
        const s = await core.readNamespacedSecret({ namespace, name }, opts());
        return { metadata: { name, namespace, resourceVersion: s.metadata?.resourceVersion }, type: s.type, data: s.data ?? {} };
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    },
    async patchStatus(obj, status: DeploymentStatus) {
      // PUT /status with the cached resourceVersion; on 409 re-read and apply again. A stale
      // leader's write therefore fails instead of silently replacing a newer status.
      const client = customObjectStatusClient<CertificateDeploymentObject & { status?: DeploymentStatus }>(kc, ref(obj));
      await writeStatus({
        client,
        current: structuredClone(obj),
        mutate: (o) => {
          if (JSON.stringify(o.status ?? {}) === JSON.stringify(status)) return false;
          (o as { status?: DeploymentStatus }).status = status;
          return true;
        },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    },
    async setFinalizers(obj, finalizers) {
      const current = obj.metadata.finalizers;
      const body = current === undefined
        ? [{ op: 'add', path: '/metadata/finalizers', value: finalizers }]
        : [{ op: 'test', path: '/metadata/finalizers', value: current }, { op: 'replace', path: '/metadata/finalizers', value: finalizers }];
      await objects.patchNamespacedCustomObject({ ...ref(obj), body, fieldManager }, opts(PatchStrategy.JsonPatch));
    },
  };
}

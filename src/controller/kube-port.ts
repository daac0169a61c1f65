/**
 * The few Kubernetes calls the reconciler makes, behind one small interface so the reconcile
 * logic reads as the design's table and the HTTP details live in one place (kube-client.ts).
 */
import type { DeploymentStatus } from '../crds/status.ts';
import type { CertificateDeploymentObject, SecretObject } from './kube-types.ts';

export interface KubePort {
  /** GET a Secret; `null` on 404. */
  getSecret(namespace: string, name: string): Promise<SecretObject | null>;
  /** Replaces `.status` through the status subresource, retrying on conflicts. */
  patchStatus(obj: CertificateDeploymentObject, status: DeploymentStatus): Promise<void>;
  /** Sets `metadata.finalizers` with optimistic concurrency (fails on a concurrent change). */
  setFinalizers(obj: CertificateDeploymentObject, finalizers: readonly string[]): Promise<void>;
}

/** Records events.k8s.io Events about a CertificateDeployment. Must not throw. */
export interface EventSink {
  event(obj: CertificateDeploymentObject, type: 'Normal' | 'Warning', reason: string, action: string, note: string): void;
}

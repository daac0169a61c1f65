/**
 * The few Kubernetes calls the reconciler makes, behind one small interface so the reconcile
 * logic reads as the design's table and the HTTP details live in one place (kube-client.ts).
 */
import type { DeploymentStatus } from '../crds/status.ts';
import type { CertificateDeploymentObject, SecretObject } from './kube-types.ts';

export interface KubePort {
  /** GET a Secret; `null` on 404. */
  getSecret(namespace: string, name: string): Promise<SecretObject | null>;
  /**
   * Replaces `.status` through the status subresource with the status `compose` returns for the
   * status it sees: first the cached object's, then — after a 409 — the freshly read one, so a
   * conflict re-plans instead of overwriting a newer status. Resolves `false` when `compose`
   * returns the status already stored (no write happens).
   */
  patchStatus(obj: CertificateDeploymentObject, compose: (current: DeploymentStatus) => DeploymentStatus | undefined): Promise<boolean>;
  /** Sets `metadata.finalizers` with optimistic concurrency (fails on a concurrent change). */
  setFinalizers(obj: CertificateDeploymentObject, finalizers: readonly string[]): Promise<void>;
}

/** Records events.k8s.io Events about a CertificateDeployment. Must not throw. */
export interface EventSink {
  event(obj: CertificateDeploymentObject, type: 'Normal' | 'Warning', reason: string, action: string, note: string): void;
}

/**
 * The CertificateDeployment object as the controller reads it from the API: metadata it uses,
 * the spec as stored (validated again with zod before use) and the status it owns.
 */
import type { DeploymentStatus } from '../crds/status.ts';

export interface ObjectMeta {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly generation: number;
  readonly resourceVersion?: string;
  readonly deletionTimestamp?: string;
  readonly finalizers?: readonly string[];
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface CertificateDeploymentObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta;
  readonly spec: unknown;
  readonly status?: DeploymentStatus;
}

/** The fields of a Secret the controller reads; data values are base64 as served. */
export interface SecretObject {
  readonly metadata: { readonly name: string; readonly namespace: string; readonly resourceVersion?: string };
  readonly type?: string;
  readonly data?: Readonly<Record<string, string>>;
}

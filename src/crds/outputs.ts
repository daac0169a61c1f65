/**
 * Where the generated CRD is written, relative to the repository root: the install manifest
 * and the Helm chart's copy (Helm reads files only from inside the chart). One list, read by
 * the generator and by the test that fails when any copy is stale, so a new copy cannot be
 * added without both knowing.
 */
import { CRD_NAME, POLICY_CRD_NAME } from './names.ts';

export const CRD_OUTPUTS: readonly string[] = [`deploy/crds/${CRD_NAME}.yaml`, `charts/cert-deployer/crds-src/${CRD_NAME}.yaml`];

/** The same two copies of the generated DeploymentPolicy CRD. */
export const POLICY_CRD_OUTPUTS: readonly string[] = [`deploy/crds/${POLICY_CRD_NAME}.yaml`, `charts/cert-deployer/crds-src/${POLICY_CRD_NAME}.yaml`];

/**
 * Identity of the CertificateDeployment API. Constants, so the generator, the controller,
 * RBAC and the tests can never disagree about a name.
 */
export const GROUP = 'certdeployer.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'CertificateDeployment';
export const LIST_KIND = 'CertificateDeploymentList';
export const PLURAL = 'certificatedeployments';
export const SINGULAR = 'certificatedeployment';
export const SHORT_NAMES = ['certdeploy'] as const;
export const CATEGORIES = ['cert-deployer'] as const;
export const CRD_NAME = `${PLURAL}.${GROUP}`;
/** The finalizer, present only while `deletionPolicy: Delete` has cleanup to do. */
export const FINALIZER = `${GROUP}/finalizer`;

/**
 * Set to any new value (an RFC 3339 time by convention, what `kubectl certdeploy redeploy`
 * writes) to force one redeploy of every target, or of the targets named in
 * {@link REDEPLOY_TARGETS_ANNOTATION}, even when fingerprints match. Status records the value
 * acted on (`status.redeployRequest`), so each request runs once.
 */
export const REDEPLOY_AT_ANNOTATION = `${GROUP}/redeploy-at`;
/** Comma-separated target names a redeploy request is limited to; all targets when absent. */
export const REDEPLOY_TARGETS_ANNOTATION = `${GROUP}/redeploy-targets`;

/**
 * Identity of the DeploymentPolicy API: the cluster-scoped object in which a platform admin
 * grants namespaces what their CertificateDeployments may touch. Cluster-scoped so no namespace
 * role (the built-in admin/edit included) can write one.
 */
export const POLICY_KIND = 'DeploymentPolicy';
export const POLICY_LIST_KIND = 'DeploymentPolicyList';
export const POLICY_PLURAL = 'deploymentpolicies';
export const POLICY_SINGULAR = 'deploymentpolicy';
export const POLICY_SHORT_NAMES = ['deploypolicy'] as const;
export const POLICY_CRD_NAME = `${POLICY_PLURAL}.${GROUP}`;

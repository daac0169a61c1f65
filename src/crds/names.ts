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


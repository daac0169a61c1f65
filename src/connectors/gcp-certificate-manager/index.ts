/** Registry entry of the `gcpCertificateManager` connector. */
import { defineConnector } from '@cert-deployer/connector-sdk';
import { gcpCertificateManagerConfig } from './config.ts';
import { createGcpCertificateManagerConnector, GCP_CERTIFICATE_MANAGER } from './gcp-certificate-manager-connector.ts';

/** The registry entry: the credentials Secret, when referenced, is read by the controller. */
export const gcpCertificateManagerConnector = defineConnector({
  name: GCP_CERTIFICATE_MANAGER,
  configSchema: gcpCertificateManagerConfig,
  create: (config) => createGcpCertificateManagerConnector(config),
  secretRefs: (config) => (config.credentialsRef === undefined ? [] : [config.credentialsRef.name]),
});

/**
 * Registry entry of the `awsAcm` connector. Network-only: no `hostOf` (the sandbox runs on the
 * operator's machine, with no file or exec access); `secretRefs` names the credentials Secret
 * so the controller reads it and passes it in `ctx.secrets`.
 */
import { defineConnector } from '@cert-deployer/connector-sdk';
import { awsAcmConfig } from './config.ts';
import { createAwsAcmConnector } from './aws-acm-connector.ts';

export const awsAcmConnector = defineConnector({
  name: 'awsAcm',
  configSchema: awsAcmConfig,
  create: (config) => createAwsAcmConnector(config),
  secretRefs: (config) => (config.credentialsRef === undefined ? [] : [config.credentialsRef.name]),
});

export { createAwsAcmConnector, grantFor, type AwsAcmConnectorOptions } from './aws-acm-connector.ts';
export { awsAcmConfig, type AwsAcmConfig } from './config.ts';
export { CredentialKeys } from './credentials.ts';
export { OWNER_TAG_KEY } from './tags.ts';

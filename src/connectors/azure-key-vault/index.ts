/**
 * Registry entry of the `azureKeyVault` connector: a network-only connector (no `hostOf`, so
 * its sandbox runs on the operator's machine with no files and no commands). `secretRefs`
 * names the client-secret Secret so the controller reads it and passes it in
 * `ctx.secrets`; the connector never talks to Kubernetes.
 */
import { defineConnector } from '@cert-deployer/connector-sdk';
import { createAzureKeyVaultConnector } from './azure-key-vault-connector.ts';
import { azureKeyVaultConfig } from './config.ts';

export const azureKeyVaultConnector = defineConnector({
  name: 'azureKeyVault',
  configSchema: azureKeyVaultConfig,
  create: (config) => createAzureKeyVaultConnector(config),
  secretRefs: (config) => (config.credentialsRef === undefined ? [] : [config.credentialsRef.name]),
});

export { createAzureKeyVaultConnector, certificateIdOf, dialAddressOf, grantFor } from './azure-key-vault-connector.ts';
export type { AzureKeyVaultConnectorOptions } from './azure-key-vault-connector.ts';
export { azureKeyVaultConfig, CredentialKey, OWNER_TAG, type AzureKeyVaultConfig } from './config.ts';

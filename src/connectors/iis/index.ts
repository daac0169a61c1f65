/**
 * Registry entry of the `iis` connector: network-only (no hostOf: the sandbox runs on the
 * operator and may dial exactly the WinRM listener), with one credentials Secret.
 */
import { defineConnector } from '@cert-deployer/connector-sdk';
import { iisConfig } from './config.ts';
import { createIisConnector } from './iis-connector.ts';

export const iisConnector = defineConnector({
  name: 'iis',
  configSchema: iisConfig,
  create: createIisConnector,
  secretRefs: (config) => [config.credentialsRef.name],
});

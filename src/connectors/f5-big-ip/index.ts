/** Registry entry of the `f5BigIp` connector: network-only (no host), credentials from a Secret. */
import { defineConnector } from '@cert-deployer/connector-sdk';
import { f5BigIpConfig } from './config.ts';
import { CONNECTOR_NAME, createF5BigIpConnector } from './f5-connector.ts';

export const f5BigIpConnector = defineConnector({
  name: CONNECTOR_NAME,
  configSchema: f5BigIpConfig,
  create: createF5BigIpConnector,
  secretRefs: (config) => [config.credentialsRef.name],
});

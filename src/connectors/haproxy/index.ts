/** Registry entry of the `haproxy` connector. */
import { defineConnector } from '@cert-deployer/connector-sdk';
import { haproxyConfig } from './config.ts';
import { createHaproxyConnector } from './haproxy-connector.ts';

export const haproxyConnector = defineConnector({
  name: 'haproxy',
  configSchema: haproxyConfig,
  create: createHaproxyConnector,
  hostOf: (config) => config.host,
});

export { createHaproxyConnector, haproxyGrant } from './haproxy-connector.ts';
export { haproxyConfig, type HaproxyConfig, DEFAULT_CONFIG_TEST, DEFAULT_RELOAD, DEFAULT_SOCKET_PATH } from './config.ts';

/** Registry entry of the `apache` connector (block `apache` of a target). */
import { defineConnector } from '@cert-deployer/connector-sdk';
import { apacheConfig } from './config.ts';
import { createApacheConnector } from './apache-connector.ts';

export const apacheConnector = defineConnector({
  name: 'apache',
  configSchema: apacheConfig,
  create: createApacheConnector,
  hostOf: (config) => config.host,
});

export { createApacheConnector, planApache } from './apache-connector.ts';
export { apacheConfig, type ApacheConfig, APACHE_DEFAULT_CONFIG_TEST, APACHE_DEFAULT_RELOAD } from './config.ts';

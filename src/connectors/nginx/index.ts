/** Registry entry of the `nginx` connector (block `nginx` of a target). */
import { defineConnector } from '@cert-deployer/connector-sdk';
import { nginxConfig } from './config.ts';
import { createNginxConnector } from './nginx-connector.ts';

export const nginxConnector = defineConnector({
  name: 'nginx',
  configSchema: nginxConfig,
  create: createNginxConnector,
  hostOf: (config) => config.host,
});

export { createNginxConnector, planNginx } from './nginx-connector.ts';
export { nginxConfig, type NginxConfig, NGINX_DEFAULT_CONFIG_TEST, NGINX_DEFAULT_RELOAD } from './config.ts';

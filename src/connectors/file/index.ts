/** Registry entry of the `file` connector. */
import { defineConnector } from '@cert-deployer/connector-sdk';
import { fileConfig } from './config.ts';
import { createFileConnector } from './file-connector.ts';

export const fileConnector = defineConnector({
  name: 'file',
  configSchema: fileConfig,
  create: createFileConnector,
  hostOf: (config) => config.host,
});

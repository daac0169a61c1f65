/**
 * Registry entry of the `example` connector. `defineConnector` ties the block name (the key
 * users write in a target), the zod schema and the factory together; `hostOf` tells the
 * controller which host (local or SSH) to build the sandbox on.
 *
 * This template is NOT in `src/connectors/registry.ts`. A real connector copied from it adds
 * one line there (`myConnector as ConnectorDefinition<never>`), regenerates the CRD
 * (`npm run gen:crds`) and reserves its block name in `CONNECTOR_BLOCK_NAMES` (src/crds/names.ts).
 */
import { defineConnector } from '../sdk/index.ts';
import { exampleConfig } from './config.ts';
import { createExampleConnector } from './example-connector.ts';

export const exampleConnector = defineConnector({
  name: 'example',
  configSchema: exampleConfig,
  create: createExampleConnector,
  hostOf: (config) => config.host,
});

export { createExampleConnector } from './example-connector.ts';
export { exampleConfig, type ExampleConfig } from './config.ts';

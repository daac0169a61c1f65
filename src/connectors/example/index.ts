/**
 * Registry entry of the `example` connector. `defineConnector` ties the block name (the key
 * users write in a target), the zod schema and the factory together; `hostOf` tells the
 * controller which host (local or SSH) to build the sandbox on.
 *
 * This template is NOT registered. A real connector copied from it adds one line to
 * `src/connectors/registered.ts` (`export { myConnector } from './my/index.ts';`), a page
 * `docs/connectors/<kebab-name>.md` and its conformance run in
 * `test/unit/connectors/<kebab-name>/`, then runs `npm run gen:crds && npm run gen:connector-lists`.
 */
import { defineConnector } from '@cert-deployer/connector-sdk';
import { exampleConfig } from './config.ts';
import { createExampleConnector } from './example-connector.ts';

export const exampleConnector = defineConnector({
  name: 'example',
  configSchema: exampleConfig,
  create: createExampleConnector,
  hostOf: (config) => config.host,
});

export { createExampleConnector, planExample } from './example-connector.ts';
export { exampleConfig, type ExampleConfig } from './config.ts';

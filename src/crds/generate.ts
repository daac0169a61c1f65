/**
 * Writes every copy of the CRD (`CRD_OUTPUTS`: deploy/crds and the Helm chart's crds-src) from
 * the zod schemas and the connector registry. Run `npm run gen:crds` after changing a schema
 * or registering a connector; test/unit/crds/crd-generated.test.ts fails while any copy
 * differs from what this produces.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectorBlocks } from '../connectors/registry.ts';
import { CRD_OUTPUTS, POLICY_CRD_OUTPUTS } from './outputs.ts';
import { renderCrdYaml, renderPolicyCrdYaml } from './render.ts';

const root = join(import.meta.dirname, '..', '..');
const text = renderCrdYaml(connectorBlocks());
for (const out of CRD_OUTPUTS) {
  await writeFile(join(root, out), text);
  console.log(`wrote ${out}`);
}
for (const out of POLICY_CRD_OUTPUTS) {
  await writeFile(join(root, out), renderPolicyCrdYaml());
  console.log(`wrote ${out}`);
}

/**
 * Writes deploy/crds/certificatedeployments.certdeployer.io.yaml (and the Helm chart's copy,
 * which Helm can only read from inside the chart) from the zod schemas and the connector
 * registry. Run `npm run gen:crds` after changing a schema; tests fail when either checked-in
 * file differs from what this produces.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectorBlocks } from '../connectors/registry.ts';
import { renderCrdYaml } from './render.ts';
import { CRD_NAME } from './names.ts';

const root = join(import.meta.dirname, '..', '..');
const text = renderCrdYaml(connectorBlocks());
for (const out of [join(root, 'deploy', 'crds', `${CRD_NAME}.yaml`), join(root, 'charts', 'cert-deployer', 'crds-src', `${CRD_NAME}.yaml`)]) {
  await writeFile(out, text);
  console.log(`wrote ${out}`);
}

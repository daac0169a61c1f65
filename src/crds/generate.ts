/**
 * Writes deploy/crds/certificatedeployments.certdeployer.io.yaml from the zod schemas and the
 * connector registry. Run `npm run gen:crds` after changing a schema; a test fails when the
 * checked-in file differs from what this produces.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectorBlocks } from '../connectors/registry.ts';
import { renderCrdYaml } from './render.ts';
import { CRD_NAME } from './names.ts';

const out = join(import.meta.dirname, '..', '..', 'deploy', 'crds', `${CRD_NAME}.yaml`);
await writeFile(out, renderCrdYaml(connectorBlocks()));
console.log(`wrote ${out}`);

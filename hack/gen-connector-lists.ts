/**
 * `npm run gen:connector-lists`: rewrites the generated connector lists (README.md,
 * packages/connector-sdk/README.md, docs/architecture.md) from the registry and each connector's
 * docs page. test/unit/connectors/connector-lists.test.ts fails while any list is stale.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readListInputs } from './connector-list-inputs.ts';
import { renderLists } from './connector-lists.ts';

const root = join(import.meta.dirname, '..');
const { current, listed } = await readListInputs(root);
for (const [file, text] of renderLists(current, listed)) {
  if ((await readFile(join(root, file), 'utf8')) === text) continue;
  await writeFile(join(root, file), text);
  console.log(`wrote ${file}`);
}

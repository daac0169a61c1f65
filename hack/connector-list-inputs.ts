/**
 * Reads what the connector lists are generated from: the registry, each registered
 * connector's docs page (for its one-line summary) and the current text of every list file.
 * Shared by the generator and the staleness test so both see the same inputs.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectors } from '../src/connectors/registry.ts';
import { kebab, LIST_FILES, pageSummary, type ListedConnector } from './connector-lists.ts';

export async function readListInputs(root: string): Promise<{ current: Map<string, string>; listed: ListedConnector[] }> {
  const listed: ListedConnector[] = [];
  for (const c of connectors) {
    const folder = kebab(c.name);
    listed.push({ name: c.name, folder, summary: pageSummary(await readFile(join(root, 'docs', 'connectors', `${folder}.md`), 'utf8')) });
  }
  const current = new Map<string, string>();
  for (const { file } of LIST_FILES) current.set(file, await readFile(join(root, file), 'utf8'));
  return { current, listed };
}

/**
 * What "adding a connector = its folder + one registry line + one docs page" rests on, driven
 * by the registry so a new connector needs no test of its own here: every registered connector
 * has a docs page whose manifests validate and whose policy allows what they declare, and a
 * conformance run; every connector folder is registered (the template excepted).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectors } from '../../../src/connectors/registry.ts';
import { checkConnectorPage } from '../../support/connector-docs.ts';
import { kebab } from '../../../hack/connector-lists.ts';

const root = join(import.meta.dirname, '..', '..', '..');
/** Folders under src/connectors that are not connectors, and the unregistered template. */
const NOT_REGISTERED = new Set(['sdk', 'example']);

async function exists(path: string): Promise<boolean> {
  return readFile(path).then(() => true, () => false);
}

describe.each(connectors.map((c) => [c.name, c] as const))('registered connector %s', (name, definition) => {
  const folder = kebab(name);

  it(`has its folder src/connectors/${folder}/ with an index.ts`, async () => {
    expect(await exists(join(root, 'src', 'connectors', folder, 'index.ts'))).toBe(true);
  });

  it(`has docs/connectors/${folder}.md: its CertificateDeployment validates and its policy allows every target`, async () => {
    const page = join(root, 'docs', 'connectors', `${folder}.md`);
    expect(await exists(page), `missing docs page ${page}`).toBe(true);
    const blocks = await checkConnectorPage(page, definition);
    expect(blocks.length, 'the page names at least one target of this connector').toBeGreaterThan(0);
  });

  it(`has a conformance run in test/unit/connectors/${folder}/`, async () => {
    const dir = join(root, 'test', 'unit', 'connectors', folder);
    const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => /conformance.*\.test\.ts$/.test(f));
    const runs: string[] = [];
    for (const f of files) {
      const text = await readFile(join(dir, f), 'utf8');
      if (/\brunConformance\(/.test(text)) runs.push(f);
    }
    expect(runs, `no *conformance*.test.ts calling runConformance(...) in ${dir}`).not.toEqual([]);
  });
});

describe('connector folders', () => {
  it('every folder under src/connectors is registered, except the SDK and the template', async () => {
    const entries = await readdir(join(root, 'src', 'connectors'), { withFileTypes: true });
    const folders = entries.filter((e) => e.isDirectory() && !NOT_REGISTERED.has(e.name)).map((e) => e.name).sort();
    expect(folders).toEqual(connectors.map((c) => kebab(c.name)).sort());
  });

  it('the template is not registered', () => {
    expect(connectors.map((c) => c.name)).not.toContain('example');
  });
});

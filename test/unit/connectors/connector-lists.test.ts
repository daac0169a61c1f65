/**
 * The connector lists in README.md, packages/connector-sdk/README.md and docs/architecture.md are
 * generated from the registry (`npm run gen:connector-lists`); this fails while any checked-in
 * list differs from what the registry and the docs pages produce now.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readListInputs } from '../../../hack/connector-list-inputs.ts';
import { BEGIN, END, LIST_FILES, pageSummary, renderLists, splice } from '../../../hack/connector-lists.ts';

const root = join(import.meta.dirname, '..', '..', '..');

describe('generated connector lists', () => {
  it.each(LIST_FILES.map((f) => f.file))('%s lists exactly the registered connectors (run `npm run gen:connector-lists` when this fails)', async (file) => {
    const { current, listed } = await readListInputs(root);
    expect(current.get(file) === renderLists(current, listed).get(file), `${file} is stale`).toBe(true);
  });

  it('a connector missing from the registry changes every list (the check can fail)', async () => {
    const { current, listed } = await readListInputs(root);
    const without = renderLists(current, listed.filter((c) => c.name !== 'haproxy'));
    for (const { file } of LIST_FILES) expect(without.get(file), file).not.toBe(current.get(file));
  });

  it('refuses a file without markers rather than appending somewhere', () => {
    expect(() => splice('# no markers\n', 'x', 'f.md')).toThrow(/markers missing/);
    expect(splice(`a\n${BEGIN}\nold\n${END}\nb`, 'new', 'f.md')).toBe(`a\n${BEGIN}\nnew\n${END}\nb`);
  });

  it('summarises a page by its first sentence, carrying an opening caveat note', () => {
    expect(pageSummary('# T\n\nDoes one thing. Then more.\n\n## Next\n')).toBe('Does one thing.');
    expect(pageSummary('# T\n\n> **Untested against X.** Details.\n\nDoes one thing.\n')).toBe('Does one thing. **Untested against X.**');
  });
});

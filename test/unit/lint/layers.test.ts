/**
 * The layer rules are lint rules (eslint.config.js), so this test proves each one bites: it
 * plants one violation per rule in a file of the folder the rule guards (ESLint's `lintText`
 * with `filePath` inside the repo, so the real config's `files` globs apply) and expects
 * exactly that rule's tagged message; the same folders' legitimate imports lint clean.
 */
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { plantedViolations, cleanImports } from './layer-cases.ts';

const root = join(import.meta.dirname, '..', '..', '..');
let eslint: ESLint;

/** The tagged layer messages (`[tag] …`) ESLint reports for `code` as if it were `file`. */
async function layerTags(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  const messages = result?.messages ?? [];
  const fatal = messages.filter((m) => m.fatal);
  if (fatal.length > 0) throw new Error(`parse error in planted code: ${fatal[0]?.message}`);
  return messages
    .filter((m) => ['no-restricted-imports', 'no-restricted-syntax', 'no-restricted-properties', 'no-restricted-globals'].includes(m.ruleId ?? ''))
    .map((m) => /\[([a-z/-]+)\]/.exec(m.message)?.[1] ?? `untagged: ${m.message}`);
}

beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

describe('layer rules in eslint.config.js', () => {
  it.each(plantedViolations)('$file: `$code` fails with [$tag]', async ({ file, code, tag }) => {
    expect(await layerTags(file, code)).toEqual([tag]);
  });

  it.each(cleanImports)('$file: `$code` passes', async ({ file, code }) => {
    expect(await layerTags(file, code)).toEqual([]);
  });

  it('every rule tag in the config has a planted violation', async () => {
    const { readFile } = await import('node:fs/promises');
    const config = await readFile(join(root, 'eslint.config.js'), 'utf8');
    const declared = new Set([...config.matchAll(/'([a-z]+\/[a-z-]+)'/g)].map((m) => m[1]));
    const planted = new Set(plantedViolations.map((v) => v.tag));
    expect([...declared].filter((t) => !planted.has(t!))).toEqual([]);
  });

  it('the files that broke the rules before lint clean now', async () => {
    const results = await eslint.lintFiles([
      'src/connectors/f5-big-ip/config.ts',
      'src/connectors/aws-acm/endpoint.ts',
      'src/connectors/registry.ts',
      'hack/demo.ts',
    ]);
    expect(results.flatMap((r) => r.messages.map((m) => `${r.filePath}: ${m.message}`))).toEqual([]);
  });
});

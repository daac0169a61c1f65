/**
 * The benchmark measures the controller as the image runs it: the V8 flags of the Dockerfile's
 * ENTRYPOINT and the harness's SHIPPED_NODE_FLAGS must be the same list.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHIPPED_NODE_FLAGS } from '../../bench/harness/tools.ts';

describe('shipped V8 flags', () => {
  it('the Dockerfile ENTRYPOINT is node, the bench harness flags, dist/src/main.js', async () => {
    const dockerfile = await readFile(join(import.meta.dirname, '..', '..', '..', 'Dockerfile'), 'utf8');
    const line = dockerfile.split('\n').find((l) => l.startsWith('ENTRYPOINT '));
    expect(JSON.parse(line!.slice('ENTRYPOINT '.length))).toEqual(['/nodejs/bin/node', ...SHIPPED_NODE_FLAGS, 'dist/src/main.js']);
  });
});

/** The worker's Node flags: the permission model on, exact read roots, a heap limit, and nothing else allowed. */
import { describe, expect, it } from 'vitest';
import { FORBIDDEN_FLAGS, permissionFlags } from '../../../src/sandbox/worker/permission-flags.ts';
import { fileImports } from '../../../src/connector-worker/worker-runtime.ts';

describe('permissionFlags', () => {
  const flags = permissionFlags({ readRoots: ['/app/dist', '/app/node_modules', '/app/dist'], preload: ['/app/hook.ts'], maxOldSpaceMiB: 192 });

  it('turns the permission model on with one exact --allow-fs-read per root and the heap limit', () => {
    expect(flags).toEqual(['--permission', '--allow-fs-read=/app/dist', '--allow-fs-read=/app/node_modules', '--max-old-space-size=192', '--import', '/app/hook.ts']);
  });

  it('grants no write, network, child process, worker, addon, WASI, inspector or FFI access', () => {
    for (const forbidden of FORBIDDEN_FLAGS) expect(flags.some((f) => f.startsWith(forbidden))).toBe(false);
  });

  it.each([['relative', 'app/dist'], ['wildcard', '/app/*'], ['comma list', '/app,/etc']])('refuses a %s read root', (_what, root) => {
    expect(() => permissionFlags({ readRoots: [root], preload: [], maxOldSpaceMiB: 192 })).toThrow(/absolute path without wildcards or commas/);
  });

  it('refuses a heap limit below 32 MiB', () => {
    expect(() => permissionFlags({ readRoots: [], preload: [], maxOldSpaceMiB: 8 })).toThrow(/at least 32 MiB/);
  });
});

describe('fileImports (the resolve hook a worker inherits when the operator runs from source)', () => {
  it('keeps file --import values as absolute paths and drops bare package specifiers', () => {
    expect(fileImports(['--import', './hack/hook.ts', '--import=/abs/x.ts', '--import', 'some-package', '--import=file:///u/y.ts', '--max-old-space-size=1'], '/repo'))
      .toEqual(['/repo/hack/hook.ts', '/abs/x.ts', '/u/y.ts']);
  });
});

/**
 * A Node resolve hook that maps `@cert-deployer/connector-sdk` (and its subpaths) to the
 * package SOURCE in this tree, for running the operator from TypeScript (`node --import
 * ./hack/sdk-from-source.ts src/main.ts`: integration tests, the demo, the generators).
 *
 * Why a hook and not the workspace link: the link resolves through node_modules, which in a
 * git worktree may belong to another tree, and it leads to the package's `exports`, which
 * name the built `dist/` a third party installs. tsconfig `paths` and the vitest alias do the
 * same mapping for the type checker and the tests; the built image resolves through the real
 * workspace link to `dist/`.
 */
import { registerHooks } from 'node:module';

const SRC = new URL('../packages/connector-sdk/src/', import.meta.url);

/** Package specifier → entry file below the package's `src/` (mirrors package.json `exports`). */
export const SDK_ENTRIES: Readonly<Record<string, string>> = {
  '@cert-deployer/connector-sdk': 'index.ts',
  '@cert-deployer/connector-sdk/sandbox': 'sandbox/index.ts',
  '@cert-deployer/connector-sdk/conformance': 'conformance/run-conformance.ts',
  '@cert-deployer/connector-sdk/testing': 'testing/index.ts',
};

/** Absolute path of this hook, for `node --import <path>` in the scripts and tests that spawn the operator. */
export const SDK_FROM_SOURCE = new URL(import.meta.url).pathname;

registerHooks({
  resolve(specifier, context, nextResolve) {
    const entry = SDK_ENTRIES[specifier];
    if (entry === undefined) return nextResolve(specifier, context);
    return { url: new URL(entry, SRC).href, format: 'module-typescript', shortCircuit: true };
  },
});

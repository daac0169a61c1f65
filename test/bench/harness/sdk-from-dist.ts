/**
 * A Node resolve hook for the benchmark's controller process: maps `@cert-deployer/connector-sdk`
 * (and its subpaths) to THIS tree's built package (`packages/connector-sdk/dist`), which is
 * what the image's workspace link resolves to. Only used when the link in node_modules leads
 * elsewhere (a git worktree sharing another tree's node_modules); in a fresh clone the
 * controller runs without it. Same idea as hack/sdk-from-source.ts, for built JavaScript.
 */
import { registerHooks } from 'node:module';

const DIST = new URL('../../../packages/connector-sdk/dist/', import.meta.url);
const ENTRIES: Readonly<Record<string, string>> = {
  '@cert-deployer/connector-sdk': 'index.js',
  '@cert-deployer/connector-sdk/sandbox': 'sandbox/index.js',
  '@cert-deployer/connector-sdk/conformance': 'conformance/run-conformance.js',
  '@cert-deployer/connector-sdk/testing': 'testing/index.js',
};

registerHooks({
  resolve(specifier, context, nextResolve) {
    const entry = ENTRIES[specifier];
    if (entry === undefined) return nextResolve(specifier, context);
    return { url: new URL(entry, DIST).href, format: 'module', shortCircuit: true };
  },
});

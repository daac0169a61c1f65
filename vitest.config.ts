import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * `@cert-deployer/connector-sdk` resolves to the package source in THIS tree (a worktree's
 * node_modules may link another tree's copy, and dist/ may be stale). Same map as tsconfig `paths`.
 */
const sdk = (rel: string) => fileURLToPath(new URL(`./packages/connector-sdk/src/${rel}`, import.meta.url));
const alias = [
  { find: /^@cert-deployer\/connector-sdk$/, replacement: sdk('index.ts') },
  { find: /^@cert-deployer\/connector-sdk\/sandbox$/, replacement: sdk('sandbox/index.ts') },
  { find: /^@cert-deployer\/connector-sdk\/conformance$/, replacement: sdk('conformance/run-conformance.ts') },
  { find: /^@cert-deployer\/connector-sdk\/testing$/, replacement: sdk('testing/index.ts') },
];

/**
 * Two projects: `unit` runs without external processes; `integration` shares one real
 * kube-apiserver + etcd per run (globalSetup) and real servers started by the tests.
 */
export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'src/**/*.test.ts', 'packages/*/src/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});

// Lint rules that carry architecture, not taste: connectors do all I/O through the sandbox,
// so any direct import of an I/O module under src/connectors is an error.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModules = ['fs', 'fs/promises', 'child_process', 'net', 'tls', 'http', 'https', 'http2', 'dgram', 'dns'];
const forbiddenForConnectors = [
  ...ioModules.flatMap((m) => [m, `node:${m}`]),
  'undici',
  'ssh2',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'charts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/connectors/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: forbiddenForConnectors.map((name) => ({
            name,
            message: 'Connectors perform I/O only through the Sandbox they are handed.',
          })),
          patterns: [{ group: ['**/sandbox/host/**', '**/sandbox/local-*'], message: 'Connectors use the Sandbox interface, not a host implementation.' }],
        },
      ],
    },
  },
  {
    files: ['src/crds/**/*.ts'],
    ignores: ['src/crds/generate.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', '../controller/**', '../sandbox/**', '../connectors/**'], message: 'src/crds is pure schema.' }] }],
    },
  },
);

// Lint rules that carry architecture, not taste. Each layer of `src` gets ONE
// `no-restricted-imports` entry composed from the rules below (ESLint keeps only the last
// entry of a rule per file, so the rules are combined per folder here rather than stacked).
// Every message starts with a rule tag in brackets; test/unit/lint/layers.test.ts plants a
// violation of each tag and expects exactly that message.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Modules that open files, processes or sockets. Only the sandbox (and named exceptions) may. */
const IO = '^(node:)?(fs|child_process|net|tls|https?|http2|dgram|dns)(/.*)?$|^(undici|ssh2)(/.*)?$';
/** The Kubernetes client: network I/O to the apiserver, so the controller's business only. */
const KUBE = '^@kubernetes/client-node(/.*)?$';

/** One restricted pattern: a regex over the import specifier and the rule tag + reason. */
const rule = (regex, tag, why) => ({ regex, message: `[${tag}] ${why}` });

const noIo = rule(IO, 'layer/io', 'only src/sandbox (and the kube transport, the HTTP server and main.ts) touch files, processes or sockets.');
const noKube = rule(KUBE, 'layer/kube', 'only src/controller and src/main.ts talk to Kubernetes.');
const noTest = rule('(^|/)test/', 'layer/test', 'product code (src, hack) never imports test code; tests import product code.');
const noController = (tag) => rule('(^|/)controller/', tag, 'this layer never imports src/controller.');
const noConnectors = (tag) => rule('(^|/)connectors/', tag, 'this layer never imports src/connectors.');
const noCrds = (tag) => rule('(^|/)crds/', tag, 'this layer never imports src/crds.');
const noSandbox = (tag) => rule('(^|/)sandbox/', tag, 'this layer never imports src/sandbox.');
/** Connectors see the sandbox only through its contract (`src/sandbox/index.ts`), best via the SDK barrel. */
const noSandboxInternals = rule(
  '(^|/)sandbox/(?!index\\.ts$)',
  'connectors/sandbox-internals',
  'connectors use the SDK surface (src/connectors/sdk/index.ts re-exports the sandbox contract), never a sandbox internal.',
);
/** A connector imports the SDK (and through it the sandbox contract) from one place. */
const sdkBarrel = rule(
  '(^|/)sdk/(?!index\\.ts$)|(^|/)sandbox/index\\.ts$',
  'connectors/sdk-barrel',
  'a connector imports the SDK and the sandbox contract only through src/connectors/sdk/index.ts.',
);
/** crds is pure schema: zod, yaml (rendering), its own files, core types and connector config atoms. */
const crdsWhitelist = rule(
  '^(?!zod$|yaml$|\\./[^/]+$|\\.\\./core/[^/]+$|\\.\\./connectors/sdk/host-config\\.ts$)',
  'crds/pure',
  'src/crds imports only zod, yaml, its own files, src/core and connector config schemas (src/connectors/sdk/host-config.ts; blocks come from the registry as arguments).',
);
/** The generator is the one crds file that reads the registry and writes files. */
const generatorWhitelist = rule(
  '^(?!zod$|yaml$|\\./[^/]+$|node:(fs/promises|path)$|\\.\\./connectors/registry\\.ts$)',
  'crds/generator',
  'src/crds/generate.ts imports only the registry, the crds files and node:fs/promises + node:path.',
);

const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
/** Dynamic `import()` of an I/O module is the same violation as a static one. */
const noDynamicIo = {
  'no-restricted-syntax': [
    'error',
    { selector: `ImportExpression[source.value=/${IO.replaceAll('/', '\\/')}/]`, message: noIo.message },
  ],
};

const ioExceptions = ['src/controller/runtime/kube-transport.ts', 'src/controller/http-server.ts', 'src/main.ts'];

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
  // src/core: the bottom layer. Pure: imports no other layer and does no I/O.
  {
    files: ['src/core/**/*.ts'],
    rules: { ...restrict(noIo, noKube, noTest, noSandbox('core/bottom'), noController('core/bottom'), noConnectors('core/bottom'), noCrds('core/bottom')), ...noDynamicIo },
  },
  // src/sandbox: owns all I/O; knows nothing of what is deployed or why.
  {
    files: ['src/sandbox/**/*.ts'],
    rules: restrict(noKube, noTest, noController('sandbox/no-upper'), noConnectors('sandbox/no-upper'), noCrds('sandbox/no-upper')),
  },
  // src/connectors/sdk: the surface connectors see; the sandbox only through its contract.
  {
    files: ['src/connectors/sdk/**/*.ts'],
    rules: {
      ...restrict(noIo, noKube, noTest, noController('connectors/no-controller'), noCrds('connectors/no-crds'), noSandboxInternals),
      ...noDynamicIo,
    },
  },
  // A connector folder: the SDK barrel and its own files, nothing else of ours, no I/O.
  {
    files: ['src/connectors/**/*.ts'],
    ignores: ['src/connectors/sdk/**'],
    rules: {
      ...restrict(noIo, noKube, noTest, noController('connectors/no-controller'), noCrds('connectors/no-crds'), noSandboxInternals, sdkBarrel),
      ...noDynamicIo,
    },
  },
  // src/crds: pure schema.
  {
    files: ['src/crds/**/*.ts'],
    ignores: ['src/crds/generate.ts'],
    rules: { ...restrict(crdsWhitelist), ...noDynamicIo },
  },
  { files: ['src/crds/generate.ts'], rules: restrict(generatorWhitelist) },
  // src/controller: Kubernetes and decisions; I/O only in the named transport and HTTP server.
  {
    files: ['src/controller/**/*.ts', 'src/main.ts'],
    ignores: ioExceptions,
    rules: { ...restrict(noIo, noTest), ...noDynamicIo },
  },
  { files: ioExceptions, rules: restrict(noTest) },
  // Anything else under src (a new top-level folder) gets the strictest default until it is given rules.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/core/**', 'src/sandbox/**', 'src/connectors/**', 'src/crds/**', 'src/controller/**', 'src/cli/**', 'src/main.ts'],
    rules: { ...restrict(noIo, noKube, noTest), ...noDynamicIo },
  },
  // src/cli: the process front ends (kubectl plugin, version/kubeconfig lookup), like main.ts:
  // they read the kubeconfig and package.json and talk to Kubernetes, never to targets.
  { files: ['src/cli/**/*.ts'], rules: restrict(noTest) },
  // hack: dev tooling may do I/O, but never leans on test code.
  { files: ['hack/**/*.ts'], rules: restrict(noTest) },
);

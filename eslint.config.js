// Lint rules that carry architecture, not taste. Each layer of `src` gets ONE
// `no-restricted-imports` entry composed from the rules below (ESLint keeps only the last
// entry of a rule per file, so the rules are combined per folder here rather than stacked).
// Every message starts with a rule tag in brackets; test/unit/lint/layers.test.ts plants a
// violation of each tag and expects exactly that message.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Modules that open files, processes or sockets. Only the sandbox (and named exceptions) may. */
const IO = '^(node:)?(fs|child_process|net|tls|https?|http2|dgram|dns)(/.*)?$|^(undici|ssh2|@extism/extism)(/.*)?$';
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
const noConnectorWorker = (tag) => rule('(^|/)connector-worker/', tag, 'this layer never imports src/connector-worker.');
/**
 * The connector-aware half of the worker runtime reaches connectors only through the registry
 * (the worker loads it; the test kit and the SDK runtime are not its business).
 */
const workerRegistryOnly = rule(
  '(^|/)connectors/(?!registry\\.ts$)|^@cert-deployer/connector-sdk/(conformance|testing)$',
  'connector-worker/registry-only',
  'src/connector-worker reaches connectors only through src/connectors/registry.ts, and never the SDK test kit.',
);
/** Code in src/ reaches the SDK package by its name, as a third party does, never its files by path. */
const byName = rule('(^|/)packages/', 'sdk/by-name', 'code in src/ imports the SDK package by name (@cert-deployer/connector-sdk, /sandbox), never its files by path.');
/**
 * A connector folder imports the SDK package root exactly as a third party would, and its own
 * files: no subpath (the sandbox runtime, the conformance kit) and no relative path out of
 * its folder. Test paths are left to layer/test so each violation carries one tag.
 */
const sdkOnly = rule(
  '^(?!.*(^|/)test/)(\\.\\./|@cert-deployer/connector-sdk/)',
  'connectors/sdk-only',
  'a connector imports only @cert-deployer/connector-sdk (the package root) and its own folder, nothing else of this repo.',
);
/** The operator's src/core may use the SDK contract (the one error base and clock), never the package's runtime or test kit. */
const coreContractOnly = rule('^@cert-deployer/connector-sdk/', 'core/bottom', 'src/core may import the SDK contract (@cert-deployer/connector-sdk), never its sandbox runtime, conformance suite or test helpers.');
/** The package installs and runs on its own: nothing of the operator's tree, not even by relative path. */
const selfContained = rule('(^|/)(src|test|hack)/|^cert-deployer(/|$)', 'sdk/self-contained', 'the connector SDK package imports nothing of the operator (src/, test/, hack/): it must install and run on its own.');
/** The contract (the package root) loads no runtime: importing it opens no ssh2, undici or files. */
const contractNoRuntime = rule(
  '(^|/)sandbox/(?!(errors|grant|sandbox)\\.ts$|check/host-check\\.ts$)|(^|/)(conformance|testing)/|^vitest$',
  'sdk/contract-pure',
  'the SDK contract imports from ./sandbox only errors.ts, grant.ts, sandbox.ts and check/host-check.ts, and never the conformance suite, the test helpers or vitest.',
);
/** The sandbox runtime ships in the operator: it never pulls in test code. */
const runtimeNoTestKit = rule('(^|/)(conformance|testing)/|^vitest$', 'sdk/runtime-no-test', 'the sandbox runtime never imports the conformance suite, the test helpers or vitest.');
/** crds is pure schema: zod, yaml (rendering), its own files, core types and connector config atoms. */
const crdsWhitelist = rule(
  '^(?!zod$|yaml$|\\./[^/]+$|\\.\\./core/[^/]+$|@cert-deployer/connector-sdk$)',
  'crds/pure',
  'src/crds imports only zod, yaml, its own files, src/core and the SDK root (its connector config atoms; blocks come from the registry as arguments).',
);
/** The generator is the one crds file that reads the registry and writes files. */
const generatorWhitelist = rule(
  '^(?!zod$|yaml$|\\./[^/]+$|node:(fs/promises|path)$|\\.\\./connectors/registry\\.ts$)',
  'crds/generator',
  'src/crds/generate.ts imports only the registry, the crds files and node:fs/promises + node:path.',
);

/** The Extism runtime runs plugin code (and can fetch, and give WASI): src/sandbox/wasm is its one home. */
const wasmOnly = rule('^@extism/extism(/.*)?$', 'sandbox/wasm-only', 'only src/sandbox/wasm runs WASM plugins (the Extism host); the rest of the sandbox does not import it.');
/** The guest toolchain builds plugins (examples/plugins, hack/plugins); the operator never loads it. */
const noGuestToolchain = rule('^(@extism/as-pdk|assemblyscript)(/.*)?$', 'wasm/guest-toolchain', 'the AssemblyScript toolchain and PDK build plugins (examples/plugins, hack/plugins); product code never imports them.');
/** The controller uses the plugin runtime only through its contract. */
const wasmContract = rule('(^|/)sandbox/wasm/(?!index\\.ts$)', 'controller/wasm-contract', 'the controller imports the plugin runtime only through src/sandbox/wasm/index.ts.');

const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
const dynamicIo = { selector: `ImportExpression[source.value=/${IO.replaceAll('/', '\\/')}/]`, message: noIo.message };
/** Dynamic `import()` of an I/O module is the same violation as a static one. */
const noDynamicIo = { 'no-restricted-syntax': ['error', dynamicIo] };

/**
 * Time comes from the one injected clock (`src/core/clock.ts`; a connector gets it as
 * `clockOf(ctx)` from the SDK), so a fake clock drives every deadline, poll and timestamp.
 * Reading the process clock, or arming a process timer, in connectors and the controller is
 * the violation: `Date.now()`, `new Date()` / `Date()` without an argument, `performance.now()`,
 * `AbortSignal.timeout()`, `setTimeout`/`setInterval` (also through `globalThis`).
 */
const TIME = '[time/clock] take time from the injected clock (src/core/clock.ts; in a connector clockOf(ctx) from the SDK), not from the process.';
const noProcessClock = {
  'no-restricted-properties': [
    'error',
    ...[['Date', 'now'], ['performance', 'now'], ['AbortSignal', 'timeout'], ['globalThis', 'setTimeout'], ['globalThis', 'setInterval']].map(([object, property]) => ({ object, property, message: TIME })),
  ],
  'no-restricted-globals': ['error', ...['setTimeout', 'setInterval'].map((name) => ({ name, message: TIME }))],
};
const clockSyntax = [
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: TIME },
  { selector: "CallExpression[callee.name='Date']", message: TIME },
];
/** Dynamic I/O imports and argument-less `Date` in one `no-restricted-syntax` entry (ESLint keeps one per file). */
const noDynamicIoOrClock = { 'no-restricted-syntax': ['error', dynamicIo, ...clockSyntax], ...noProcessClock };

const ioExceptions = ['src/controller/runtime/kube-transport.ts', 'src/controller/runtime/kube-access.ts', 'src/controller/runtime/kube-rest.ts', 'src/controller/http-server.ts', 'src/main.ts'];

export default tseslint.config(
  // examples/plugins is AssemblyScript (decorators on declarations, i32/u64): asc checks it, not tsc/ESLint.
  { ignores: ['**/dist/**', 'node_modules/**', 'coverage/**', 'charts/**', 'examples/plugins/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // src/core: the bottom layer. Pure: imports no other layer (the SDK contract aside) and does no I/O.
  {
    files: ['src/core/**/*.ts'],
    rules: { ...restrict(noIo, noKube, noTest, byName, coreContractOnly, noGuestToolchain, noSandbox('core/bottom'), noController('core/bottom'), noConnectors('core/bottom'), noCrds('core/bottom')), ...noDynamicIo },
  },
  // src/sandbox: the operator's name for the SDK's sandbox runtime; knows nothing of what is deployed or why.
  {
    files: ['src/sandbox/**/*.ts'],
    ignores: ['src/sandbox/wasm/**'],
    rules: restrict(noKube, noTest, byName, noGuestToolchain, wasmOnly, noController('sandbox/no-upper'), noConnectors('sandbox/no-upper'), noCrds('sandbox/no-upper'), noConnectorWorker('sandbox/no-upper')),
  },
  // src/sandbox/wasm: the Extism host, the one place that runs plugin code (operator-only: not in the SDK).
  {
    files: ['src/sandbox/wasm/**/*.ts'],
    rules: restrict(noKube, noTest, byName, noGuestToolchain, noController('sandbox/no-upper'), noConnectors('sandbox/no-upper'), noCrds('sandbox/no-upper'), noConnectorWorker('sandbox/no-upper')),
  },
  // src/connector-worker: the worker's entry, the call codec and the worker runtime the controller
  // composes in. Connectors only through the registry; no I/O of its own (the pool in
  // src/sandbox/worker spawns and talks to the processes); never the controller or crds.
  {
    files: ['src/connector-worker/**/*.ts'],
    rules: {
      ...restrict(noIo, noKube, noTest, byName, noGuestToolchain, noController('connector-worker/no-controller'), noCrds('connector-worker/no-crds'), workerRegistryOnly),
      ...noDynamicIo,
    },
  },
  // packages/connector-sdk: self-contained. The contract (root) is pure; the sandbox runtime owns
  // the I/O; the conformance suite and test helpers may use both, vitest and real processes.
  {
    files: ['packages/connector-sdk/src/**/*.ts'],
    ignores: ['packages/connector-sdk/src/core/**', 'packages/connector-sdk/src/sandbox/**', 'packages/connector-sdk/src/conformance/**', 'packages/connector-sdk/src/testing/**'],
    rules: { ...restrict(noIo, noKube, selfContained, contractNoRuntime), ...noDynamicIoOrClock },
  },
  // The package's core owns the real clock (realClock): the one place the process clock is read.
  {
    files: ['packages/connector-sdk/src/core/**/*.ts'],
    rules: { ...restrict(noIo, noKube, selfContained, contractNoRuntime), ...noDynamicIo },
  },
  { files: ['packages/connector-sdk/src/sandbox/**/*.ts'], rules: restrict(noKube, selfContained, runtimeNoTestKit, wasmOnly, noGuestToolchain) },
  { files: ['packages/connector-sdk/src/conformance/**/*.ts', 'packages/connector-sdk/src/testing/**/*.ts'], rules: restrict(noKube, selfContained) },
  // A connector folder: the SDK package root and its own files, nothing else of ours, no I/O.
  {
    files: ['src/connectors/*/**/*.ts'],
    rules: { ...restrict(noIo, noKube, noTest, noGuestToolchain, sdkOnly), ...noDynamicIoOrClock },
  },
  // The registry (src/connectors/*.ts): lists connectors for the controller and the generators.
  {
    files: ['src/connectors/*.ts'],
    rules: { ...restrict(noIo, noKube, noTest, byName, noGuestToolchain, noController('connectors/no-controller'), noCrds('connectors/no-crds')), ...noDynamicIo },
  },
  // src/crds: pure schema.
  {
    files: ['src/crds/**/*.ts'],
    ignores: ['src/crds/generate.ts'],
    rules: { ...restrict(crdsWhitelist), ...noDynamicIo },
  },
  { files: ['src/crds/generate.ts'], rules: restrict(generatorWhitelist) },
  // src/controller: Kubernetes and decisions; I/O only in the named transport and HTTP server.
  // Its time comes from the injected clock (main.ts, the composition root, owns the real one).
  {
    files: ['src/controller/**/*.ts'],
    ignores: ioExceptions,
    rules: { ...restrict(noIo, noTest, byName, noGuestToolchain, wasmContract), ...noDynamicIoOrClock },
  },
  { files: ioExceptions, rules: restrict(noTest, byName, noGuestToolchain, wasmContract) },
  { files: ioExceptions.filter((f) => f.startsWith('src/controller/')), rules: { 'no-restricted-syntax': ['error', ...clockSyntax], ...noProcessClock } },
  // Anything else under src (a new top-level folder) gets the strictest default until it is given rules.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/core/**', 'src/sandbox/**', 'src/connectors/**', 'src/connector-worker/**', 'src/crds/**', 'src/controller/**', 'src/cli/**', 'src/main.ts'],
    rules: { ...restrict(noIo, noKube, noTest, byName, noGuestToolchain), ...noDynamicIo },
  },
  // src/cli: the process front ends (kubectl plugin, version/kubeconfig lookup), like main.ts:
  // they read the kubeconfig and package.json and talk to Kubernetes, never to targets.
  { files: ['src/cli/**/*.ts'], rules: restrict(noTest, byName) },
  // hack: dev tooling may do I/O, but never leans on test code.
  { files: ['hack/**/*.ts'], rules: restrict(noTest) },
);

/**
 * Packages the controller as one executable for the agent form (a cert-deployer on the web
 * server's own host): rolldown bundles src/main.ts and its production dependencies into one ES
 * module, and Node's `--build-sea` injects it into a copy of the Node binary the tests run
 * (single-executable applications, mainFormat "module"). package.json rides along as a SEA
 * asset so `--version` works. Native addons (ssh2's optional crypto binding, cpu-features) stay
 * out: both packages fall back to pure JS when the `require` fails, as in the image, which
 * installs with --ignore-scripts.
 *
 *   node hack/agent/bundle.ts <out-dir>   writes <out-dir>/cert-deployer-agent and agent.json
 */
import { execFileSync } from 'node:child_process';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build } from 'rolldown';
import { SDK_ENTRIES } from '../sdk-from-source.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const out = resolve(process.argv[2] ?? '');
if (process.argv[2] === undefined) throw new Error('usage: node hack/agent/bundle.ts <out-dir>');
await mkdir(out, { recursive: true });

// The bundle keeps CommonJS dependencies working inside an ES module: they expect require,
// __filename and __dirname, which an ES module does not define.
const banner = [
  "import { createRequire as __cdRequire } from 'node:module';",
  "import { fileURLToPath as __cdPath } from 'node:url';",
  "import { dirname as __cdDir } from 'node:path';",
  'const require = __cdRequire(import.meta.url);',
  'const __filename = __cdPath(import.meta.url);',
  'const __dirname = __cdDir(__filename);',
].join('\n');

const t0 = performance.now();
const bundle = join(out, 'agent.mjs');
await build({
  input: join(ROOT, 'src', 'main.ts'),
  platform: 'node',
  // The connector SDK from this tree's source, as the operator runs it from TypeScript
  // (hack/sdk-from-source.ts), not the workspace package's built dist/.
  resolve: { alias: Object.fromEntries(Object.entries(SDK_ENTRIES).map(([name, entry]) => [name, join(ROOT, 'packages', 'connector-sdk', 'src', entry)])) },
  external: [/\.node$/],
  logLevel: 'warn',
  output: { format: 'esm', file: bundle, codeSplitting: false, banner },
});
const bundledMs = Math.round(performance.now() - t0);

const executable = join(out, 'cert-deployer-agent');
const config = join(out, 'sea-config.json');
await writeFile(config, JSON.stringify({
  main: bundle,
  mainFormat: 'module',
  output: executable,
  disableExperimentalSEAWarning: true,
  assets: { 'package.json': join(ROOT, 'package.json') },
}, null, 2));
execFileSync(process.execPath, ['--build-sea', config], { stdio: ['ignore', 'ignore', 'inherit'] });
const builtMs = Math.round(performance.now() - t0);

const meta = {
  node: process.version,
  bundleBytes: (await stat(bundle)).size,
  executableBytes: (await stat(executable)).size,
  nodeBytes: (await stat(process.execPath)).size,
  bundleMs: bundledMs,
  buildMs: builtMs,
};
await writeFile(join(out, 'agent.json'), `${JSON.stringify(meta)}\n`);
console.error(`[agent] ${executable}: ${(meta.executableBytes / 2 ** 20).toFixed(0)} MiB (node ${(meta.nodeBytes / 2 ** 20).toFixed(0)} MiB + bundle ${(meta.bundleBytes / 2 ** 20).toFixed(1)} MiB), bundled in ${bundledMs} ms, built in ${builtMs} ms`);

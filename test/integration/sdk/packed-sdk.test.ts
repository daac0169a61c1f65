/**
 * The connector SDK as a third party gets it: `npm pack` the workspace (its `prepack` builds
 * dist/ with declarations), install the tarball into a scratch project in a temp dir outside
 * the repo (its dependencies from the npm registry, served from the local npm cache when
 * present), copy in the example connector's source unchanged, and run the conformance suite
 * there with the scratch project's own vitest, on a local temp-dir target and on a real sshd.
 * The scratch project also type-checks against the published declarations.
 *
 * This proves the tarball is self-contained: no path into this repo, no tsconfig `paths`, no
 * vitest alias and no resolve hook are involved (the test checks the suite ran from the
 * installed copy).
 */
import { execFile } from 'node:child_process';
import { cp, lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO = join(import.meta.dirname, '..', '..', '..');
const PKG = join(REPO, 'packages', 'connector-sdk');
const SDK = '@cert-deployer/connector-sdk';

/** The version this repo runs, so the scratch install is what the repo itself tests with. */
async function installedVersion(name: string): Promise<string> {
  return (JSON.parse(await readFile(join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

const CONFORMANCE_TEST = `/** The example connector, installed as a third party would, against the packed SDK's suite. */
import { writeFileSync } from 'node:fs';
import type { Connector } from '${SDK}';
import { localFileFixture, runConformance, sshFileFixture, type FileTargetContext } from '${SDK}/conformance';
import { exampleConnector } from '../src/example/index.ts';

writeFileSync(new URL('../resolved.txt', import.meta.url), import.meta.resolve('${SDK}/conformance'));

function exampleFor(ctx: FileTargetContext): Connector {
  const config = exampleConnector.configSchema.parse({
    host: ctx.host,
    certificatePath: ctx.certificatePath,
    privateKeyPath: ctx.privateKeyPath,
    reload: ctx.reloadArgv,
  });
  return exampleConnector.create(config);
}

runConformance(exampleFor, localFileFixture());
runConformance(exampleFor, sshFileFixture());
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'es2024',
    lib: ['es2024'],
    module: 'nodenext',
    moduleResolution: 'nodenext',
    types: ['node'],
    strict: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    verbatimModuleSyntax: true,
  },
  include: ['src', 'test'],
};

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  testResults: { assertionResults: { fullName: string; status: string }[] }[];
}

let dir = '';
let project = '';
let report: VitestReport;
let typecheck: { code: number; output: string };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cd-sdk-pack-'));
  const packed = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: PKG, maxBuffer: 16 << 20 });
  const [info] = JSON.parse(packed.stdout) as { filename: string }[];
  const tarball = join(dir, info!.filename);

  project = join(dir, 'my-connector');
  await cp(join(REPO, 'src', 'connectors', 'example'), join(project, 'src', 'example'), { recursive: true });
  const manifest = {
    name: 'my-connector',
    private: true,
    type: 'module',
    dependencies: { zod: await installedVersion('zod') },
    devDependencies: {
      [SDK]: `file:${tarball}`,
      vitest: await installedVersion('vitest'),
      typescript: await installedVersion('typescript'),
      '@types/node': await installedVersion('@types/node'),
    },
  };
  await writeFile(join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(join(project, 'tsconfig.json'), `${JSON.stringify(TSCONFIG, null, 2)}\n`);
  await mkdir(join(project, 'test'));
  await writeFile(join(project, 'test', 'conformance.test.ts'), CONFORMANCE_TEST);
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: project, maxBuffer: 16 << 20 });

  const out = join(dir, 'report.json');
  // A failing conformance test exits non-zero; the report says which, so read it either way.
  await run('npx', ['vitest', 'run', '--reporter=json', `--outputFile=${out}`], { cwd: project, maxBuffer: 16 << 20 }).catch(() => undefined);
  report = JSON.parse(await readFile(out, 'utf8')) as VitestReport;
  typecheck = await run('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: project }).then(
    (r) => ({ code: 0, output: r.stdout }),
    (e: { code?: number; stdout?: string }) => ({ code: e.code ?? 1, output: e.stdout ?? '' }),
  );
}, 240_000);

afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

describe('the packed connector SDK in a scratch project outside the repo', () => {
  it('installs as a copy of the tarball (no link back into this repo) holding dist/, README and the declarations', async () => {
    const installed = join(project, 'node_modules', '@cert-deployer', 'connector-sdk');
    expect((await lstat(installed)).isSymbolicLink()).toBe(false);
    const files = await readdir(installed);
    expect(files.sort()).toEqual(['README.md', 'dist', 'package.json']);
    expect(await readdir(join(installed, 'dist', 'conformance'))).toContain('run-conformance.d.ts');
  });

  it('runs the conformance suite from the installed copy', async () => {
    const resolved = await readFile(join(project, 'resolved.txt'), 'utf8');
    expect(resolved).toContain(`${project}/node_modules/@cert-deployer/connector-sdk/dist/conformance/run-conformance.js`);
  });

  it('the example connector passes every case on a local and an SSH target', () => {
    const failed = report.testResults.flatMap((f) => f.assertionResults).filter((a) => a.status === 'failed').map((a) => a.fullName);
    expect(failed).toEqual([]);
    // 23 cases per fixture (20, inspect.readOnly, plan.noChange and plan.matchesDeploy); the local host opts out of `unreachable` (it cannot be unreachable).
    expect(report.numPassedTests).toBe(45);
    expect(report.numPendingTests).toBe(1);
  });

  it('type-checks against the published declarations', () => {
    expect(typecheck.output).toBe('');
    expect(typecheck.code).toBe(0);
  });
});

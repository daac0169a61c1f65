/**
 * The benchmark (`npm run bench`, which builds dist/ and the peer first: hack/bench.sh).
 *   node --import ./hack/sdk-from-source.ts test/bench/run.ts [--quick | --smoke] [--scale-10k] [--no-peer] [--no-servers]
 *        [--render saved.json] [--only peer,scale,unrelated,servers] [--samples N] [--peer <cert-manager-sync binary>] [--controller-entry dist/src/main.js] [--concurrency 4] [--out docs/benchmarks.json] [--doc docs/benchmarks.md]
 * Starts one local control plane, runs every scenario on it, writes the JSON report and
 * regenerates the Markdown page from it. It asserts nothing about timings: the lean-runtime
 * targets are reported as met or not, with the numbers.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { applyCrds, startControlPlane } from '../../hack/local-cluster/index.ts';
import { adminAuth } from './harness/apiserver-requests.ts';
import type { BenchContext } from './harness/context.ts';
import { FileTargets } from './harness/file-targets.ts';
import { putBenchPolicy } from './harness/fixtures.ts';
import { peerComparison } from './harness/peer-comparison.ts';
import { profileSection } from './harness/profile.ts';
import { renderMarkdown, type BenchReport, type Section } from './harness/report.ts';
import { scale } from './harness/scale.ts';
import { serverRotation } from './harness/servers.ts';
import { targets } from './harness/targets.ts';
import { CONTROLLER_NODE_FLAGS, DIST_MAIN, sdkResolution } from './harness/tools.ts';
import { unrelatedSecrets } from './harness/unrelated.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const { values } = parseArgs({ options: {
  quick: { type: 'boolean', default: false }, smoke: { type: 'boolean', default: false }, 'scale-10k': { type: 'boolean', default: false },
  render: { type: 'string' }, only: { type: 'string' }, samples: { type: 'string' }, 'controller-entry': { type: 'string' }, 'no-peer': { type: 'boolean', default: false }, 'no-servers': { type: 'boolean', default: false }, peer: { type: 'string' },
  concurrency: { type: 'string', default: '4' }, out: { type: 'string', default: join(ROOT, 'docs', 'benchmarks.json') }, doc: { type: 'string', default: join(ROOT, 'docs', 'benchmarks.md') },
} });
const mode = values.smoke ? 'smoke' : values.quick ? 'quick' : 'full';

// --render <json>: rebuild the derived sections (targets, profile) and the page from a saved report, measuring nothing.
if (values.render !== undefined) {
  const saved = JSON.parse(await readFile(values.render, 'utf8')) as BenchReport;
  const measured = saved.sections.filter((s) => s.id !== 'targets' && s.id !== 'profile');
  const report: BenchReport = { ...saved, sections: [...measured, targets(measured), profileSection(measured)] };
  await writeFile(values.out, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(values.doc, renderMarkdown(report));
  process.exit(0);
}
/** Sizes per mode: full is what issue 13 asks for; quick fits a coffee; smoke only checks the harness. */
const PLAN = {
  full: { peer: 200, samples: 20, sizes: [100, 1000], restartAt: 1000, unrelated: 10_000, servers: ['nginx', 'apache', 'haproxy'], rotations: 20 },
  quick: { peer: 50, samples: 10, sizes: [100], restartAt: 100, unrelated: 1000, servers: ['nginx', 'apache', 'haproxy'], rotations: 5 },
  smoke: { peer: 3, samples: 2, sizes: [3], restartAt: 3, unrelated: 20, servers: ['nginx'], rotations: 1 },
}[mode];
/** `--only peer,scale,unrelated,servers`: run just those (for iterating on one number; the page then says what was left out). */
const only = new Set(values.only?.split(',') ?? ['peer', 'scale', 'unrelated', 'servers']);
const sizes = values['scale-10k'] ? [...PLAN.sizes, 10_000] : PLAN.sizes;
const peerBinary = values['no-peer'] ? undefined : (values.peer ?? process.env.CD_PEER_CERT_MANAGER_SYNC);
const controllerEntry = values['controller-entry'] ?? DIST_MAIN;
if (!existsSync(controllerEntry)) throw new Error(`${controllerEntry} does not exist: build it first (npx tsc -p tsconfig.build.json; npm run bench does), or pass --controller-entry src/main.ts`);
const binDir = process.env.CD_K8S_BIN_DIR ?? execFileSync('bash', [join(ROOT, 'hack/local-cluster/k8s/build.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
const log = (msg: string): void => void process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0)}s] ${msg}\n`);
const started = performance.now();
const startedAt = new Date().toISOString();
const loadAverage = loadavg();

const plane = await startControlPlane({ binDir });
const work = await mkdtemp(join(tmpdir(), 'cd-bench-'));
const files = new FileTargets(work);
const sections: Section[] = [];
try {
  const kc = new KubeConfig();
  kc.loadFromFile(plane.kubeconfigPath);
  await applyCrds(kc, join(ROOT, 'deploy', 'crds'));
  const ctx: BenchContext = {
    kubeconfig: plane.kubeconfigPath, kc, core: kc.makeApiClient(CoreV1Api), objects: kc.makeApiClient(CustomObjectsApi),
    auth: await adminAuth(plane.kubeconfigPath), work, files, concurrency: Number(values.concurrency), peerBinary, log,
    settleMs: mode === 'smoke' ? 300 : 1000, sampleGapMs: mode === 'smoke' ? 100 : 2000, controllerEntry,
  };
  await putBenchPolicy(ctx.objects, work);
  // The peer first: it caches every Secret of the cluster, so it runs before the large fixtures exist.
  const skip = (id: string, title: string, why: string): Section => ({ id, title, note: '', tables: [], data: null, skipped: why });
  const left = (id: string, title: string): Section => skip(id, title, `not selected (--only ${values.only})`);
  if (!only.has('peer')) sections.push(left('peer', 'Side by side with cert-manager-sync'));
  else sections.push(peerBinary ? await peerComparison(ctx, PLAN.peer, values.samples ? Number(values.samples) : PLAN.samples) : skip('peer', 'Side by side with cert-manager-sync', values['no-peer'] ? '--no-peer' : 'no peer binary (hack/bench.sh builds it; or pass --peer)'));
  if (only.has('scale') || only.has('unrelated')) {
    const s = await scale(ctx, sizes, PLAN.restartAt);
    sections.push(s.section, s.restart);
    if (!values['scale-10k']) sections.push(skip('scale-10k', '10,000 deployments', 'not run by default (pass --scale-10k): creating 10,000 Secrets with their own chains and 10,000 deployments, plus the floor\'s 10,000 of each, takes tens of minutes on a 2-core machine shared with other work; the cost curve from the sizes above is reported instead.'));
    if (only.has('unrelated')) {
      const memFixture = s.fixtures.get(Math.max(...sizes.filter((n) => n <= 1000)))!;
      sections.push((await unrelatedSecrets(ctx, memFixture, PLAN.unrelated)).section);
    } else sections.push(left('unrelated', 'Memory with unrelated Secrets'));
  } else sections.push(left('scale', 'Convergence and rotation at scale'), left('restart', 'Restart over Ready deployments'), left('unrelated', 'Memory with unrelated Secrets'));
  if (!only.has('servers')) sections.push(left('servers', 'Secret update → served by real servers'));
  else sections.push(values['no-servers'] ? skip('servers', 'Secret update → served by real servers', '--no-servers') : await serverRotation(ctx, PLAN.servers, PLAN.rotations));
  sections.push(targets(sections), profileSection(sections));
} finally {
  files.close();
  await plane.stop();
  await rm(work, { recursive: true, force: true });
}

const commit = (() => {
  try {
    return execFileSync('git', ['-C', ROOT, 'describe', '--always', '--dirty'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();
const hidden = ['--out', '--doc', '--peer', '--controller-entry'];
const args = process.argv.slice(2).filter((a, i, all) => !hidden.includes(a) && !hidden.includes(all[i - 1] ?? ''));
const report: BenchReport = {
  version: 1,
  meta: {
    startedAt, seconds: Math.round((performance.now() - started) / 1000), mode, command: `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`,
    commit, node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', loadAverage,
    controllerNodeFlags: [...CONTROLLER_NODE_FLAGS, ...sdkResolution(controllerEntry).map((a) => (a.startsWith('/') ? relative(ROOT, a) : a))], controllerEntry: relative(ROOT, controllerEntry), concurrency: Number(values.concurrency),
  },
  sections,
};
await writeFile(values.out, `${JSON.stringify(report, null, 2)}\n`);
await writeFile(values.doc, renderMarkdown(report));
log(`wrote ${values.out} and ${values.doc}`);

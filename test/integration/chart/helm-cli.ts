/**
 * Runs the real `helm` and `kubectl` binaries (built from source by the global setup) against
 * the chart, each test file with its own throw-away HELM_* homes so no user or machine
 * configuration leaks in, and parses rendered manifests with the `yaml` package.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { parseAllDocuments } from 'yaml';

/** The chart under test and the repository root, for files the tests compare against. */
export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
export const CHART_DIR = join(REPO_ROOT, 'charts', 'cert-deployer');

/** Exit code and output of one command; a non-zero exit is a result, not an exception. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The fields of a rendered Kubernetes object the tests look at; the rest stays untyped. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly [field: string]: unknown;
}

/** Release name and namespace for `helm template` / `helm install`. */
export interface ReleaseOptions {
  readonly release?: string;
  readonly namespace?: string;
}

/** A helm/kubectl runner bound to one temp directory; call dispose() in afterAll. */
export interface HelmCli {
  readonly kubeconfigPath: string;
  helm(args: readonly string[]): Promise<CommandResult>;
  kubectl(args: readonly string[]): Promise<CommandResult>;
  /** Writes `values` to a temp file and returns its path (JSON is valid YAML). */
  valuesFile(values: unknown): Promise<string>;
  /** `helm template` with the values; rejects with helm's stderr when rendering fails. */
  render(values: unknown, opts?: ReleaseOptions): Promise<Manifest[]>;
  /** `helm template` with the values, returning the raw result (for expected failures). */
  tryRender(values: unknown, opts?: ReleaseOptions): Promise<CommandResult>;
  dispose(): Promise<void>;
}

function runCommand(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { env, maxBuffer: 64 * 1024 * 1024, timeout: 90_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') {
        reject(new Error(`${file} ${args.join(' ')} did not run: ${err.message}\n${stderr}`, { cause: err }));
        return;
      }
      resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
    });
  });
}

/** Parses a multi-document YAML stream into objects, dropping empty documents. */
export function parseManifests(text: string): Manifest[] {
  const docs = parseAllDocuments(text);
  for (const d of docs) {
    if (d.errors.length > 0) throw new Error(`rendered YAML does not parse: ${d.errors[0]!.message}`);
  }
  return docs.map((d) => d.toJS() as Manifest | null).filter((m): m is Manifest => m !== null);
}

/** Creates the runner with fresh HELM_CACHE_HOME / HELM_CONFIG_HOME / HELM_DATA_HOME. */
export async function createHelmCli(): Promise<HelmCli> {
  const binDir = inject('k8sBinDir');
  const kubeconfigPath = inject('kubeconfigPath');
  const dir = await mkdtemp(join(tmpdir(), 'cd-chart-test-'));
  const env: NodeJS.ProcessEnv = {
    PATH: `${binDir}:${process.env.PATH ?? ''}`,
    HOME: dir,
    HELM_CACHE_HOME: join(dir, 'cache'),
    HELM_CONFIG_HOME: join(dir, 'config'),
    HELM_DATA_HOME: join(dir, 'data'),
    KUBECONFIG: kubeconfigPath,
  };
  let files = 0;
  const helm = (args: readonly string[]) => runCommand(join(binDir, 'helm'), args, env);
  const kubectl = (args: readonly string[]) => runCommand(join(binDir, 'kubectl'), args, env);
  const valuesFile = async (values: unknown) => {
    const path = join(dir, `values-${++files}.yaml`);
    await writeFile(path, JSON.stringify(values ?? {}));
    return path;
  };
  const tryRender = async (values: unknown, opts: ReleaseOptions = {}) =>
    helm(['template', opts.release ?? 'cd', CHART_DIR, '--namespace', opts.namespace ?? 'cert-deployer', '-f', await valuesFile(values)]);
  return {
    kubeconfigPath,
    helm,
    kubectl,
    valuesFile,
    tryRender,
    async render(values, opts) {
      const r = await tryRender(values, opts);
      if (r.code !== 0) throw new Error(`helm template failed (${r.code}): ${r.stderr}`);
      return parseManifests(r.stdout);
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The single manifest of a kind (and name, when given); throws naming what was rendered. */
export function findOne(manifests: readonly Manifest[], kind: string, name?: string): Manifest {
  const hits = manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  if (hits.length !== 1) {
    throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${hits.length} in: ${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ')}`);
  }
  return hits[0]!;
}

/**
 * Vitest global setup for the integration project: one real control plane per run, the
 * CRDs applied, the kubeconfig path provided to tests as `inject('kubeconfigPath')`.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { TestProject } from 'vitest/node';
import { applyCrds, startControlPlane, type ControlPlane } from '../../hack/local-cluster/index.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfigPath: string;
    k8sBinDir: string;
  }
}

const root = join(import.meta.dirname, '..', '..');
let plane: ControlPlane | undefined;

/** The binaries directory: from hack/lib.sh, or built (cached) on demand for a bare `vitest`. */
function binDir(): string {
  if (process.env.CD_K8S_BIN_DIR) return process.env.CD_K8S_BIN_DIR;
  const out = execFileSync('bash', [join(root, 'hack/local-cluster/k8s/build.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return out.trim().split('\n').pop()!;
}

export async function setup(project: TestProject): Promise<void> {
  const bins = binDir();
  plane = await startControlPlane({ binDir: bins });
  const kc = new KubeConfig();
  kc.loadFromFile(plane.kubeconfigPath);
  await applyCrds(kc, join(root, 'deploy/crds'));
  console.log(`[global-setup] control plane ${plane.server} ready in ${plane.startupMs} ms`);
  project.provide('kubeconfigPath', plane.kubeconfigPath);
  project.provide('k8sBinDir', bins);
}

export async function teardown(): Promise<void> {
  await plane?.stop();
}

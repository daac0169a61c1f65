/**
 * The local environment behind `./hack/demo.sh`: the embedded control plane with the CRDs, the
 * controller installed by the chart and run as the built image (or as a process), the nginx
 * target behind a real sshd with the admin's DeploymentPolicy, and the examples rendered for it.
 * `stop()` removes all of it: processes, containers, temp directories.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { applyCrds } from '../local-cluster/apply-crds.ts';
import { startControlPlane, type ControlPlane } from '../local-cluster/control-plane.ts';
import { kubeClients } from '../local-cluster/kube-objects.ts';
import { startController, type ControllerMode, type RunningController } from './controller.ts';
import { instructions } from './instructions.ts';
import { EXAMPLES, NAMESPACE, POLICY_EXAMPLE, SERVER_NAME, startTarget, type RunningTarget } from './target.ts';

const REPO_ROOT = join(import.meta.dirname, '..', '..');

export interface LocalEnvOptions {
  readonly binDir: string;
  readonly mode: ControllerMode;
  /** Progress lines (stderr in the command). */
  readonly say: (line: string) => void;
}

export interface LocalEnv {
  readonly dir: string;
  readonly kubeconfigPath: string;
  readonly controller: RunningController;
  readonly target: RunningTarget;
  /** What to print for the user. */
  readonly instructions: string;
  stop(): Promise<void>;
}

/** Starts everything in order; on a failure, stops what already started and rethrows. */
export async function startLocalEnv(opts: LocalEnvOptions): Promise<LocalEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'cert-deployer-local-'));
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const plane: ControlPlane = await startControlPlane({ binDir: opts.binDir });
    stops.push(() => plane.stop());
    opts.say(`control plane ${plane.server} ready in ${plane.startupMs} ms`);
    const kubeconfigPath = join(dir, 'kubeconfig');
    await copyFile(plane.kubeconfigPath, kubeconfigPath);
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    opts.say(`CRDs installed: ${(await applyCrds(kc, join(REPO_ROOT, 'deploy', 'crds'))).join(', ')}`);
    const { core, objects } = kubeClients(kubeconfigPath);

    const target = await startTarget({ dir, core, objects });
    stops.push(() => target.stop());
    opts.say(`nginx on ${target.nginx.address} behind sshd ${target.sshd.address}; DeploymentPolicy shop grants namespace ${NAMESPACE} that host`);

    opts.say(`installing the chart and starting its controller (${opts.mode})`);
    const controller = await startController({ mode: opts.mode, binDir: opts.binDir, kubeconfigPath, dir });
    stops.push(() => controller.stop());
    opts.say(`controller ready: ${controller.description}`);

    return {
      dir,
      kubeconfigPath,
      controller,
      target,
      instructions: instructions({
        kubeconfigPath,
        binDir: opts.binDir,
        server: plane.server,
        controller: controller.description,
        sshAddress: target.sshd.address,
        tlsAddress: target.nginx.address,
        serverName: SERVER_NAME,
        caPath: target.caPath,
        namespace: NAMESPACE,
        examples: EXAMPLES.map((e) => target.examples[e]!),
        policyPath: target.examples[POLICY_EXAMPLE]!,
        stateDir: dir,
      }),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

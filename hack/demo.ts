/**
 * The embedded demo behind hack/demo.sh: a real control plane with the CRDs, a stable
 * kubeconfig path to point kubectl at, and (once started) the controller in this process.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { applyCrds } from '../test/support/apply-crds.ts';
import { startControlPlane } from '../test/support/control-plane/control-plane.ts';

const root = join(import.meta.dirname, '..');
const binDir = process.env.CD_K8S_BIN_DIR;
if (!binDir) throw new Error('CD_K8S_BIN_DIR is not set: run hack/demo.sh');

const plane = await startControlPlane({ binDir });
const stateDir = join(process.env.CD_CACHE_DIR ?? join(homedir(), '.cache', 'cert-deployer'), 'demo');
await mkdir(stateDir, { recursive: true });
const kubeconfig = join(stateDir, 'kubeconfig');
await copyFile(plane.kubeconfigPath, kubeconfig);
const kc = new KubeConfig();
kc.loadFromFile(kubeconfig);
const crds = await applyCrds(kc, join(root, 'deploy', 'crds'));

console.log(`
cert-deployer demo: control plane ${plane.server} ready in ${plane.startupMs} ms; CRDs: ${crds.join(', ')}

In another shell:
  export KUBECONFIG=${kubeconfig}
  export PATH=${binDir}:$PATH      # kubectl ${'v' + (binDir.match(/k8s-v([\d.]+)/)?.[1] ?? '')} built with the control plane
  kubectl apply -f ${join(root, 'examples', 'file-deployment.yaml')}
  kubectl get certdeploy -A -o wide

Ctrl-C stops the demo and removes its state.`);

const stop = async () => {
  await plane.stop();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
setInterval(() => undefined, 1 << 30);

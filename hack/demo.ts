/**
 * The embedded demo behind hack/demo.sh, start to finish: a real control plane with the CRDs,
 * the real controller process (src/main.ts), a sample TLS Secret and a CertificateDeployment
 * using the `file` connector into a temp directory, one rotation, and `kubectl get certdeploy
 * -o wide` after each step. Everything it started is stopped and removed when it exits.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { applyCrds, createDeployment, eventually, kubeClients, mintChain, putTlsSecret, readyOf, startControlPlane } from './local-cluster/index.ts';

const root = join(import.meta.dirname, '..');
const binDir = process.env.CD_K8S_BIN_DIR;
if (!binDir) throw new Error('CD_K8S_BIN_DIR is not set: run hack/demo.sh');
const say = (s: string) => console.log(`\n==> ${s}`);
const fp = (pem: string) => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');

const plane = await startControlPlane({ binDir });
const work = await mkdtemp(join(tmpdir(), 'cert-deployer-demo-'));
const controller = spawn(process.execPath, ['--import', join(root, 'hack', 'sdk-from-source.ts'), join(root, 'src', 'main.ts'), '--kubeconfig', plane.kubeconfigPath, '--leader-elect', 'false', '--metrics-bind-address', '127.0.0.1:0', '--log-level', 'warn'], { stdio: 'inherit' });
let failed = false;
try {
  say(`control plane ${plane.server} ready in ${plane.startupMs} ms (kube-apiserver + etcd built from Go modules)`);
  const kc = new KubeConfig();
  kc.loadFromFile(plane.kubeconfigPath);
  console.log(`CRDs installed: ${(await applyCrds(kc, join(root, 'deploy', 'crds'))).join(', ')}`);
  const kubectl = (...args: string[]) => console.log(execFileSync(join(binDir, 'kubectl'), ['--kubeconfig', plane.kubeconfigPath, ...args], { encoding: 'utf8' }).trimEnd());
  const { core, objects } = kubeClients(plane.kubeconfigPath);

  say(`as the platform admin: DeploymentPolicy demo grants namespace default files below ${work} in the operator pod (deny by default otherwise)`);
  await objects.createClusterCustomObject({
    group: 'certdeployer.io', version: 'v1alpha1', plural: 'deploymentpolicies',
    body: { apiVersion: 'certdeployer.io/v1alpha1', kind: 'DeploymentPolicy', metadata: { name: 'demo' }, spec: { namespaces: ['default'], hosts: [{ local: {}, pathRoots: [work] }] } },
  });
  say('creating Secret demo-tls (a fresh test CA and leaf) and CertificateDeployment demo (file connector)');
  const chain = await mintChain({ dnsNames: ['demo.example.test'], name: 'Demo' });
  await putTlsSecret(core, 'default', 'demo-tls', chain.chainPem.slice(0, -1).join(''), chain.keyPem, chain.rootPem);
  await createDeployment(objects, 'default', 'demo', {
    secretRef: { name: 'demo-tls' },
    targets: [{ name: 'local-files', file: { host: { local: {} }, certificatePath: join(work, 'tls.crt'), privateKeyPath: join(work, 'tls.key'), caPath: join(work, 'ca.crt') } }],
  });
  const waitFor = (want: string) => eventually(async () => {
    const r = await readyOf(objects, 'default', 'demo');
    return r?.ready === 'True' && r.status.fingerprint === want ? r : undefined;
  }, 60_000, 'Ready');
  await waitFor(fp(chain.leafPem));
  kubectl('get', 'certdeploy', '-o', 'wide');
  console.log(`files in ${work}:`);
  console.log(execFileSync('ls', ['-l', work], { encoding: 'utf8' }).trimEnd());

  say('rotating the certificate (what cert-manager does on renewal)');
  const next = await chain.issueLeaf({ dnsNames: ['demo.example.test'] });
  await putTlsSecret(core, 'default', 'demo-tls', next.chainPem.slice(0, -1).join(''), next.keyPem, chain.rootPem);
  const t0 = Date.now();
  await waitFor(fp(next.leafPem));
  console.log(`redeployed ${Date.now() - t0} ms after the Secret changed`);
  kubectl('get', 'certdeploy', '-o', 'wide');
  console.log(`new fingerprint: ${fp(next.leafPem)}`);
} catch (err) {
  failed = true;
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  controller.kill('SIGTERM');
  await new Promise((r) => controller.once('exit', r));
  await plane.stop();
  await rm(work, { recursive: true, force: true });
  say('stopped the controller and the control plane; removed all temporary state');
}
process.exit(failed ? 1 : 0);

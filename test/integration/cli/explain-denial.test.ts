/**
 * `kubectl certdeploy explain-denial` against the real control plane and a real controller, run
 * through kubectl's plugin discovery: a target the controller denied (PolicyDenied) is explained
 * with the exact item it lacks, the DeploymentPolicy that selects its namespace, and a suggested
 * policy; applying that suggestion as printed makes the target Ready. A namespace no policy
 * selects says so; a target name that does not exist exits 1.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { mintChain, type MintedChain } from '../../support/certs/index.ts';
import { createDeployment, eventually, getDeployment, kubeClients, putTlsSecret, readyOf, startController, type RunningController } from '../../support/controller-harness.ts';
import { createTestNamespace } from '../../support/kube.ts';
import { deletePolicy, putPolicy } from '../../support/policy-fixtures.ts';

const kubeconfig = inject('kubeconfigPath');
const { core, objects } = kubeClients(kubeconfig);
const PLUGIN = join(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'kubectl-certdeploy.ts');
/** Maps `@cert-deployer/connector-sdk` to this tree's source for a plain `node` process (as kubectl-certdeploy.test.ts does). */
const SDK_FROM_SOURCE = join(import.meta.dirname, '..', '..', '..', 'hack', 'sdk-from-source.ts');
let ns = '';
let bare = '';
let dir = '';
let chain: MintedChain;
let ctl: RunningController | undefined;
const created: string[] = [];

function kubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(join(inject('k8sBinDir'), 'kubectl'), args, {
      env: { PATH: `${join(dir, 'bin')}:${inject('k8sBinDir')}`, HOME: dir, KUBECONFIG: kubeconfig }, timeout: 60_000,
    }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }));
  });
}

beforeAll(async () => {
  ns = await createTestNamespace('explain');
  bare = await createTestNamespace('explain-bare');
  dir = await mkdtemp(join(tmpdir(), 'cd-explain-'));
  await mkdir(join(dir, 'bin'));
  await mkdir(join(dir, 'certs'));
  await mkdir(join(dir, 'keys'));
  const shim = join(dir, 'bin', 'kubectl-certdeploy');
  await writeFile(shim, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} --import ${JSON.stringify(SDK_FROM_SOURCE)} ${JSON.stringify(PLUGIN)} "$@"\n`);
  await chmod(shim, 0o755);
  chain = await mintChain({ dnsNames: ['explain.example.test'] });
  await putTlsSecret(core, ns, 'tls', chain.chainPem.slice(0, -1).join(''), chain.keyPem);
  // The tenant's policy allows the certificate directory only: the key directory is missing.
  await putPolicy(objects, `explain-${ns}`, { namespaces: [ns], hosts: [{ local: {}, pathRoots: [join(dir, 'certs')] }] });
  created.push(`explain-${ns}`);
  ctl = startController(kubeconfig, { namespaces: [ns, bare] }, { allowAll: false });
}, 120_000);
afterAll(async () => {
  await ctl?.stop();
  for (const name of created) await deletePolicy(objects, name);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('explain-denial', () => {
  it('names the lacking item and the selecting policy, and its suggested policy, applied as printed, makes the target Ready', async () => {
    const key = join(dir, 'keys', 'web.key');
    await createDeployment(objects, ns, 'web', { secretRef: { name: 'tls' }, targets: [{ name: 'edge', file: { host: { local: {} }, certificatePath: join(dir, 'certs', 'web.crt'), privateKeyPath: key } }] });
    await eventually(async () => ((await getDeployment(objects, ns, 'web')).status?.targets?.[0]?.reason === 'PolicyDenied' ? true : undefined), 30_000, 'PolicyDenied');

    const r = await kubectl(['certdeploy', 'explain-denial', 'web', '-n', ns]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`CertificateDeployment ${ns}/web`);
    expect(r.stdout).toContain('Target edge: PolicyDenied');
    expect(r.stdout).toMatch(new RegExp(`Lacks[^\\n]*:\\n\\s+- write ${key.replaceAll('/', '\\/')}\\n`));
    expect(r.stdout).not.toMatch(/- write .*web\.crt/); // the certificate path is allowed
    expect(r.stdout).toContain(`- explain-${ns}: hosts local pathRoots [${join(dir, 'certs')}]`);
    expect(r.stdout).toMatch(/or applies this policy:/);

    // The suggestion is a complete DeploymentPolicy: apply it exactly as printed.
    const yamlText = r.stdout.slice(r.stdout.indexOf('apiVersion:')).split('\n').map((l) => l.replace(/^ {4}/, '')).join('\n');
    const suggested = parse(yamlText) as { metadata: { name: string }; spec: Record<string, unknown> };
    expect(suggested.spec).toMatchObject({ namespaces: [ns], hosts: [{ local: {}, pathRoots: [join(dir, 'certs'), join(dir, 'keys')] }] });
    await putPolicy(objects, suggested.metadata.name, suggested.spec);
    created.push(suggested.metadata.name);
    await eventually(async () => ((await readyOf(objects, ns, 'web'))?.ready === 'True' ? true : undefined), 30_000, 'Ready under the suggested policy');
    expect(await readFile(key, 'utf8')).toContain('PRIVATE KEY');

    const after = await kubectl(['certdeploy', 'explain-denial', 'web', '-n', ns]);
    expect(after.stdout).toContain('no target is denied');
    const one = await kubectl(['certdeploy', 'explain-denial', 'web', '--target', 'edge', '-n', ns]);
    expect(one.stdout).toMatch(/allow everything it needs/);
  });

  it('says when no DeploymentPolicy selects the namespace', async () => {
    await putTlsSecret(core, bare, 'tls', chain.chainPem.slice(0, -1).join(''), chain.keyPem);
    await createDeployment(objects, bare, 'lonely', { secretRef: { name: 'tls' }, targets: [{ name: 't', file: { host: { local: {} }, certificatePath: join(dir, 'x.crt'), privateKeyPath: join(dir, 'x.key') } }] });
    await eventually(async () => ((await getDeployment(objects, bare, 'lonely')).status?.targets?.[0]?.reason === 'PolicyDenied' ? true : undefined), 30_000, 'PolicyDenied');
    const r = await kubectl(['certdeploy', 'explain-denial', 'lonely', '-n', bare]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`No DeploymentPolicy selects namespace ${bare}`);
    expect(r.stdout).toContain('host local (the operator pod)');
    expect(r.stdout).toContain('Could allow it: a cluster admin applies this policy:');
  });

  it('exits 1 for a target that does not exist', async () => {
    const r = await kubectl(['certdeploy', 'explain-denial', 'web', '--target', 'nope', '-n', ns]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('has no target "nope" (targets: edge)');
  });
});

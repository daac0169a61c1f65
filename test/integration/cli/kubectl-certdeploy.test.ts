/**
 * `kubectl certdeploy` against the real control plane, run through real kubectl's plugin
 * discovery (`kubectl-certdeploy` on PATH): status renders what a real controller wrote,
 * redeploy sets the request annotations (and refuses an unknown target), inspect secret
 * reports chain order, key type, fingerprint and problems without ever printing the key.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { keyMaterialLeaks, mintChain, type MintedChain } from '../../support/certs/index.ts';
import { createDeployment, eventually, getDeployment, kubeClients, putTlsSecret, readyOf, startController, type RunningController } from '../../support/controller-harness.ts';
import { createTestNamespace } from '../../support/kube.ts';

const kubeconfig = inject('kubeconfigPath');
const { core, objects } = kubeClients(kubeconfig);
const PLUGIN = join(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'kubectl-certdeploy.ts');
const SDK_FROM_SOURCE = join(import.meta.dirname, '..', '..', '..', 'hack', 'sdk-from-source.ts');
let ns = '';
let dir = '';
let chain: MintedChain;
let ctl: RunningController | undefined;

/** Runs `kubectl certdeploy ...` with only our plugin shim on PATH besides kubectl's directory. */
function kubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(join(inject('k8sBinDir'), 'kubectl'), args, {
      env: { PATH: `${join(dir, 'bin')}:${inject('k8sBinDir')}`, HOME: dir, KUBECONFIG: kubeconfig }, timeout: 60_000,
    }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }));
  });
}

beforeAll(async () => {
  ns = await createTestNamespace('plugin');
  dir = await mkdtemp(join(tmpdir(), 'cd-plugin-'));
  // What `npm install -g` puts on PATH: an executable named kubectl-certdeploy. kubectl hands
  // it the arguments after the plugin name and the environment (KUBECONFIG chooses the cluster).
  await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'bin')));
  const shim = join(dir, 'bin', 'kubectl-certdeploy');
  await writeFile(shim, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} --import ${JSON.stringify(SDK_FROM_SOURCE)} ${JSON.stringify(PLUGIN)} "$@"\n`);
  await chmod(shim, 0o755);
  chain = await mintChain({ keyAlgorithm: 'ecdsa-p256', dnsNames: ['shop.example.com'] });
  await putTlsSecret(core, ns, 'tls', chain.leafPem, chain.keyPem, chain.rootPem);
  ctl = startController(kubeconfig, { namespaces: [ns] });
}, 120_000);
afterAll(async () => {
  await ctl?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const file = (n: string) => ({ certificatePath: join(dir, `${n}.crt`), privateKeyPath: join(dir, `${n}.key`) });

describe('status', () => {
  it('prints one row per target with what the controller wrote, the failing one with its reason', async () => {
    await createDeployment(objects, ns, 'web', {
      secretRef: { name: 'tls' },
      targets: [{ name: 'good', file: file('good') }, { name: 'broken', file: { ...file('broken'), reload: { argv: ['/bin/false'] } } }],
    });
    await eventually(async () => ((await readyOf(objects, ns, 'web'))?.reason === 'DeployFailed' ? true : undefined), 30_000, 'web DeployFailed');
    const r = await kubectl(['certdeploy', 'status', 'web', '-n', ns]);
    expect(r.code, r.stderr).toBe(0);
    const fp = new X509Certificate(chain.leafPem).fingerprint256.replaceAll(':', '').toLowerCase();
    expect(r.stdout).toContain(`Name:         ${ns}/web`);
    expect(r.stdout).toContain('Secret:       tls');
    expect(r.stdout).toMatch(/Ready:\s+False \(DeployFailed\)/);
    expect(r.stdout).toContain(`Fingerprint:  ${fp}`);
    const rows = r.stdout.split('\n').filter((l) => /^(TARGET|good|broken)\s/.test(l));
    expect(rows[0]).toMatch(/^TARGET\s+CONNECTOR\s+READY\s+REASON\s+FINGERPRINT\s+DEPLOYED\s+VERIFIED\s+SERVED NOT AFTER\s+ATTEMPTS\s+MESSAGE$/);
    expect(rows[1]).toMatch(new RegExp(`^good\\s+file\\s+True\\s+Deployed\\s+${fp.slice(0, 12)}\\s+\\d{4}-\\d\\d-\\d\\dT`));
    expect(rows[2]).toMatch(/^broken\s+file\s+False\s+DeployFailed\s+-\s+.*\s[1-9]\d*\s+\S.*/);
  });

  it('exits 1 with the API\'s message for a deployment that does not exist', async () => {
    const r = await kubectl(['certdeploy', 'status', 'nope', '-n', ns]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/certificatedeployments.* "nope" not found/);
  });
});

describe('redeploy', () => {
  const annotations = async () => ((await getDeployment(objects, ns, 'web')).metadata as { annotations?: Record<string, string> }).annotations ?? {};

  it('sets redeploy-at (RFC 3339, now) and, with --target, redeploy-targets; without, clears the list', async () => {
    const before = Date.now();
    const r = await kubectl(['certdeploy', 'redeploy', 'web', '-n', ns, '--target', 'broken']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('for targets broken');
    let a = await annotations();
    expect(a['certdeployer.io/redeploy-at']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(a['certdeployer.io/redeploy-at']!)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(Date.parse(a['certdeployer.io/redeploy-at']!)).toBeLessThanOrEqual(Date.now());
    expect(a['certdeployer.io/redeploy-targets']).toBe('broken');
    expect((await kubectl(['certdeploy', 'redeploy', 'web', '-n', ns])).code).toBe(0);
    a = await annotations();
    expect(a['certdeployer.io/redeploy-targets']).toBeUndefined();
    expect(a['certdeployer.io/redeploy-at']).toBeDefined();
  });

  it('refuses a target the deployment does not have, changing nothing', async () => {
    const was = await annotations();
    const r = await kubectl(['certdeploy', 'redeploy', 'web', '-n', ns, '--target', 'good,typo']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no target named "typo"; the deployment\'s targets are good, broken');
    expect(await annotations()).toEqual(was);
  });
});

describe('inspect secret', () => {
  it('reports chain order, key type, fingerprint and problems, and never the key', async () => {
    // Out of order on purpose: intermediate first, then the leaf; the root in ca.crt.
    await putTlsSecret(core, ns, 'shuffled', `${chain.intermediatePems[0]}${chain.leafPem}`, chain.keyPem, chain.rootPem);
    const r = await kubectl(['certdeploy', 'inspect', 'secret', 'shuffled', '-n', ns]);
    expect(r.code, r.stderr).toBe(0);
    const fp = new X509Certificate(chain.leafPem).fingerprint256.replaceAll(':', '').toLowerCase();
    expect(r.stdout).toContain('Usable: yes');
    expect(r.stdout).toContain(`Fingerprint: ${fp}`);
    expect(r.stdout).toContain('Key type: ecdsa-p256');
    const order = r.stdout.split('\n').filter((l) => /^ {2}\d\. /.test(l));
    expect(order).toHaveLength(3);
    expect(order[0]).toContain(new X509Certificate(chain.leafPem).subject.split('\n')[0]);
    expect(order[1]).toContain('Intermediate CA');
    expect(order[2]).toMatch(/Root CA.*self-signed root/);
    expect(r.stdout).toContain('tls.crt lists the chain out of order');
    expect(keyMaterialLeaks([r.stdout, r.stderr], [chain.keyPem])).toEqual([]);
  });

  it('names the problem of an unusable Secret (a key of another certificate) and exits 1, without the key', async () => {
    const other = await mintChain({ keyAlgorithm: 'rsa' });
    await putTlsSecret(core, ns, 'mismatch', chain.leafPem, other.keyPem);
    const r = await kubectl(['certdeploy', 'inspect', 'secret', 'mismatch', '-n', ns]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Usable: no');
    expect(r.stdout).toMatch(/Problem: KeyMismatch/);
    expect(keyMaterialLeaks([r.stdout, r.stderr], [other.keyPem, chain.keyPem])).toEqual([]);
  });
});

describe('inspect secret: hostile and weak', () => {
  it('names a weak key as a problem of a usable Secret, and a chain over the size limit as unusable', async () => {
    const weak = await mintChain({ keyAlgorithm: 'rsa', rsaModulusLength: 1024 });
    await putTlsSecret(core, ns, 'weak', weak.chainPem.slice(0, -1).join(''), weak.keyPem);
    let r = await kubectl(['certdeploy', 'inspect', 'secret', 'weak', '-n', ns]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Usable: yes');
    expect(r.stdout).toMatch(/weak \(WeakKey\): the private key is RSA 1024 bits, under 2048/);
    expect(keyMaterialLeaks([r.stdout, r.stderr], [weak.keyPem])).toEqual([]);
    await putTlsSecret(core, ns, 'huge', chain.chainPem.join('').repeat(80), chain.keyPem);
    r = await kubectl(['certdeploy', 'inspect', 'secret', 'huge', '-n', ns]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Problem: ChainTooLarge in tls\.crt/);
  });
});

describe('usage', () => {
  it('exits 2 with the usage for an unknown command', async () => {
    const r = await kubectl(['certdeploy', 'renew', 'web']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "renew"');
    expect(r.stderr).toContain('kubectl certdeploy status NAME');
  });
});

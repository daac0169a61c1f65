/**
 * Hostile and weak Secrets through the real controller and apiserver, with the real `file`
 * connector: an oversized or overlong chain is refused (Ready=False, InvalidCertificate, the
 * credential model's reason in the message) with no connector call and nothing written; a weak
 * key deploys with the WeakCredential condition and a Warning Event under the default policy,
 * and is refused under --weak-credentials=Refuse.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mintChain, type MintedChain } from '../../support/certs/index.ts';
import { createDeployment, eventually, kubeClients, putTlsSecret, readyOf, startController, type RunningController } from '../../support/controller-harness.ts';
import { createTestNamespace } from '../../support/kube.ts';

const kubeconfig = inject('kubeconfigPath');
const { core, objects } = kubeClients(kubeconfig);
let warnNs = '';
let refuseNs = '';
let dir = '';
let warnCtl: RunningController;
let refuseCtl: RunningController;
let chain: MintedChain;
let weak: MintedChain;

const fileTarget = (name: string) => ({ name, file: { certificatePath: join(dir, `${name}.crt`), privateKeyPath: join(dir, `${name}.key`) } });

async function waitReady(ns: string, name: string, status: 'True' | 'False', reason: string) {
  return eventually(async () => {
    const r = await readyOf(objects, ns, name);
    return r && r.ready === status && r.reason === reason ? r : undefined;
  }, 30_000, `${name} Ready=${status} (${reason})`);
}

beforeAll(async () => {
  [warnNs, refuseNs] = await Promise.all([createTestNamespace('hostile'), createTestNamespace('refuse')]);
  dir = await mkdtemp(join(tmpdir(), 'cd-hostile-'));
  [chain, weak] = await Promise.all([
    mintChain({ dnsNames: ['hostile.example.test'] }),
    mintChain({ keyAlgorithm: 'rsa', rsaModulusLength: 1024, dnsNames: ['weak.example.test'] }),
  ]);
  warnCtl = startController(kubeconfig, { namespaces: [warnNs] });
  refuseCtl = startController(kubeconfig, { namespaces: [refuseNs], weakCredentials: 'Refuse' });
});

afterAll(async () => {
  await Promise.all([warnCtl?.stop(), refuseCtl?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

describe('hostile chains are refused with a specific reason', () => {
  it('a 465 KB chain (one chain repeated) is ChainTooLarge: no connector call, no file', async () => {
    const one = chain.chainPem.join('');
    await putTlsSecret(core, warnNs, 'big-tls', one.repeat(Math.ceil((465 * 1024) / one.length)), chain.keyPem);
    const before = warnCtl.counts.invocations;
    await createDeployment(objects, warnNs, 'big', { secretRef: { name: 'big-tls' }, targets: [fileTarget('big')] });
    const r = await waitReady(warnNs, 'big', 'False', 'InvalidCertificate');
    expect(r.message).toMatch(/^Secret big-tls: invalid certificate \(ChainTooLarge\): tls\.crt and ca\.crt hold \d+ bytes, above the limit of 65536 bytes/);
    expect(warnCtl.counts.invocations).toBe(before);
    await expect(stat(join(dir, 'big.crt'))).rejects.toThrow(/ENOENT/);
    expect(warnCtl.events.some((e) => e.name === 'big' && e.reason === 'InvalidCertificate' && e.note.includes('ChainTooLarge'))).toBe(true);
  });

  it('ca.crt holding 40 certificates is ChainTooLong', async () => {
    await putTlsSecret(core, warnNs, 'long-tls', chain.chainPem.slice(0, -1).join(''), chain.keyPem, chain.rootPem.repeat(40));
    await createDeployment(objects, warnNs, 'long', { secretRef: { name: 'long-tls' }, targets: [fileTarget('long')] });
    const r = await waitReady(warnNs, 'long', 'False', 'InvalidCertificate');
    expect(r.message).toContain('invalid certificate (ChainTooLong): tls.crt and ca.crt hold 42 certificates (tls.crt 2, ca.crt 40), above the limit of 32');
    await expect(stat(join(dir, 'long.crt'))).rejects.toThrow(/ENOENT/);
  });
});

describe('weak credentials', () => {
  it('Warn (default): an RSA 1024 key deploys, Ready=True, WeakCredential=True (WeakKey), one Warning Event', async () => {
    await putTlsSecret(core, warnNs, 'weak-tls', weak.chainPem.slice(0, -1).join(''), weak.keyPem);
    await createDeployment(objects, warnNs, 'weak', { secretRef: { name: 'weak-tls' }, targets: [fileTarget('weak')] });
    const r = await waitReady(warnNs, 'weak', 'True', 'Deployed');
    const cond = r.status.conditions?.find((c) => c.type === 'WeakCredential');
    expect(cond).toMatchObject({ status: 'True', reason: 'WeakKey' });
    expect(cond?.message).toContain('the private key is RSA 1024 bits, under 2048');
    expect((await stat(join(dir, 'weak.crt'))).isFile()).toBe(true);
    expect(warnCtl.events.filter((e) => e.name === 'weak' && e.reason === 'WeakCredential')).toHaveLength(1);
  });

  it('Warn: rotating to a strong key removes the condition', async () => {
    const strong = await weak.issueLeaf({ keyAlgorithm: 'ecdsa-p256', dnsNames: ['weak.example.test'] });
    await putTlsSecret(core, warnNs, 'weak-tls', strong.chainPem.slice(0, -1).join(''), strong.keyPem);
    await eventually(async () => {
      const r = await readyOf(objects, warnNs, 'weak');
      return r && r.ready === 'True' && r.status.targets?.[0]?.fingerprint === r.status.fingerprint && !r.status.conditions?.some((c) => c.type === 'WeakCredential') ? r : undefined;
    }, 30_000, 'WeakCredential removed after the rotation');
  });

  it('Refuse: the same RSA 1024 key is InvalidCertificate (WeakKey), nothing written', async () => {
    await putTlsSecret(core, refuseNs, 'weak-tls', weak.chainPem.slice(0, -1).join(''), weak.keyPem);
    await createDeployment(objects, refuseNs, 'weak', { secretRef: { name: 'weak-tls' }, targets: [fileTarget('refused')] });
    const r = await waitReady(refuseNs, 'weak', 'False', 'InvalidCertificate');
    expect(r.message).toMatch(/invalid certificate \(WeakKey\): the private key is RSA 1024 bits, under 2048.*refused by --weak-credentials=Refuse/);
    expect(refuseCtl.counts.invocations).toBe(0);
    await expect(stat(join(dir, 'refused.crt'))).rejects.toThrow(/ENOENT/);
  });
});

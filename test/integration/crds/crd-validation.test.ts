/**
 * The CRD on the real kube-apiserver: valid objects are accepted with defaults applied, and
 * the server itself rejects malformed ones with a message a user can act on.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { connectorBlocks } from '../../../src/connectors/registry.ts';
import { buildCrd } from '../../../src/crds/crd.ts';
import { GROUP, PLURAL, VERSION } from '../../../src/crds/names.ts';
import { applyCrd } from '../../support/apply-crds.ts';
import { createTestNamespace, testKubeConfig } from '../../support/kube.ts';

const run = promisify(execFile);
const kc = testKubeConfig();
const api = kc.makeApiClient(CustomObjectsApi);
let ns = '';

const file = { certificatePath: '/etc/app/tls.crt', privateKeyPath: '/etc/app/tls.key' };
function object(name: string, spec: Record<string, unknown>) {
  return { apiVersion: `${GROUP}/${VERSION}`, kind: 'CertificateDeployment', metadata: { name }, spec };
}
async function create(name: string, spec: Record<string, unknown>) {
  return api.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL, body: object(name, spec) });
}
async function rejection(name: string, spec: Record<string, unknown>): Promise<string> {
  try {
    await create(name, spec);
  } catch (err) {
    const e = err as { code?: number; body?: string };
    expect(e.code).toBe(422);
    return String(JSON.parse(e.body ?? '{}').message);
  }
  throw new Error('the apiserver accepted an invalid object');
}

beforeAll(async () => {
  ns = await createTestNamespace('crd');
});

describe('CertificateDeployment CRD on a real apiserver', () => {
  it('accepts a valid object and applies defaults', async () => {
    const created = (await create('ok', {
      secretRef: { name: 'web-tls' },
      targets: [{ name: 'edge', file, verify: { endpoints: [{ address: '[::1]:8443', serverName: 'shop.example.com' }] } }],
    })) as { spec: Record<string, unknown> & { targets: { file: Record<string, unknown> }[] } };
    expect(created.spec.deletionPolicy).toBe('Retain');
    expect(created.spec.suspend).toBe(false);
    expect(created.spec.targets[0]!.file.privateKeyMode).toBe('0600');
    expect(created.spec.targets[0]!.file.host).toEqual({ local: {} });
  });

  it('rejects a deployment without targets', async () => {
    expect(await rejection('no-targets', { secretRef: { name: 's' }, targets: [] })).toMatch(/spec.targets: Invalid value: .*should have at least 1 items/);
  });

  it('rejects two registered connector blocks in one target', async () => {
    const msg = await rejection('two-real-blocks', { secretRef: { name: 's' }, targets: [{ name: 'a', file, nginx: { certificatePath: '/a/c.pem', privateKeyPath: '/a/k.pem' } }] });
    expect(msg).toMatch(/exactly one connector block must be set/);
  });

  it('rejects two connector blocks in one target (CEL rule, on a CRD variant with two blocks)', async () => {
    // The real CRD registers only the blocks of connectors that exist; an unknown second block
    // would be pruned, so the rule is proven on a variant CRD built by the same generator.
    const group = 'celcheck.certdeployer.io';
    const other = z.object({ path: z.string().describe('A path.') }).describe('A second block.');
    const variant = buildCrd({ ...connectorBlocks(), other }, group) as { spec: { names: Record<string, unknown> } };
    variant.spec.names = { ...variant.spec.names, shortNames: [], categories: [] }; // keep `certdeploy` for the real CRD
    await applyCrd(kc, variant);
    const body = { ...object('two-blocks', { secretRef: { name: 's' }, targets: [{ name: 'a', file, other: { path: '/x' } }] }), apiVersion: `${group}/${VERSION}` };
    const err = await api.createNamespacedCustomObject({ group, version: VERSION, namespace: ns, plural: PLURAL, body }).then(
      () => { throw new Error('accepted'); },
      (e: { code?: number; body?: string }) => e,
    );
    expect(err.code).toBe(422);
    expect(String(JSON.parse(err.body ?? '{}').message)).toMatch(/exactly one connector block must be set: one of .*file.*, other/);
  });

  it('rejects a connector block the server does not know, under strict field validation', async () => {
    const body = object('unknown-block', { secretRef: { name: 's' }, targets: [{ name: 'a', file, notAConnector: {} }] });
    const err = await api.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL, body, fieldValidation: 'Strict' }).then(
      () => { throw new Error('accepted'); },
      (e: { code?: number; body?: string }) => e,
    );
    expect(String(err.body)).toMatch(/unknown field .{0,4}spec\.targets\[0\]\.notAConnector/);
  });

  it('rejects a target without a connector block', async () => {
    expect(await rejection('no-block', { secretRef: { name: 's' }, targets: [{ name: 'a' }] })).toMatch(/exactly one connector block must be set/);
  });

  it('rejects duplicate target names', async () => {
    const msg = await rejection('dupes', { secretRef: { name: 's' }, targets: [{ name: 'a', file }, { name: 'a', file }] });
    expect(msg).toMatch(/Duplicate value/);
  });

  it('rejects a target name that is not a DNS label', async () => {
    expect(await rejection('bad-name', { secretRef: { name: 's' }, targets: [{ name: 'Not_A_Label', file }] })).toMatch(/spec.targets\[0\].name/);
  });

  it('rejects a bad verify address and an out-of-range port', async () => {
    const spec = (address: string) => ({ secretRef: { name: 's' }, targets: [{ name: 'a', file, verify: { endpoints: [{ address }] } }] });
    expect(await rejection('bad-addr', spec('no-port'))).toMatch(/address/);
    expect(await rejection('bad-port', spec('host.example:70000'))).toMatch(/port must be between 1 and 65535/);
  });

  it('rejects a relative file path and an ssh host without a pinned key', async () => {
    expect(await rejection('rel', { secretRef: { name: 's' }, targets: [{ name: 'a', file: { ...file, privateKeyPath: 'tls.key' } }] })).toMatch(/privateKeyPath/);
    const ssh = { ssh: { address: 'h:22', user: 'deploy', credentialsRef: { name: 'k' } } };
    expect(await rejection('tofu', { secretRef: { name: 's' }, targets: [{ name: 'a', file: { ...file, host: ssh } }] })).toMatch(/hostKey is required/);
  });

  it('is documented by kubectl explain and listed by its short name', async () => {
    const kubectl = join(inject('k8sBinDir'), 'kubectl');
    const { stdout } = await run(kubectl, ['--kubeconfig', inject('kubeconfigPath'), 'explain', 'certdeploy.spec.targets.verify']);
    expect(stdout).toMatch(/Proof that the target really serves the new certificate/);
  });

  it('prints the Secret, Ready reason and Drifted by default, and the Ready message, fingerprint and notAfter in wide output', async () => {
    const kubectl = join(inject('k8sBinDir'), 'kubectl');
    await create('columns', { secretRef: { name: 'shop-tls' }, targets: [{ name: 'edge', file }] });
    const message = 'edge: DeployFailed: reload exited 1';
    await api.patchNamespacedCustomObjectStatus({
      group: GROUP, version: VERSION, namespace: ns, plural: PLURAL, name: 'columns',
      body: { status: { fingerprint: 'ab'.repeat(32), notAfter: '2027-03-01T00:00:00Z', conditions: [
        { type: 'Ready', status: 'False', reason: 'DeployFailed', message, lastTransitionTime: '2026-12-04T00:00:00Z', observedGeneration: 1 },
        { type: 'Drifted', status: 'True', reason: 'Diverged', message: 'edge: serves another', lastTransitionTime: '2026-12-04T00:00:00Z', observedGeneration: 1 },
      ] } },
    }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    const get = async (...extra: string[]) => (await run(kubectl, ['--kubeconfig', inject('kubeconfigPath'), 'get', 'certdeploy', 'columns', '-n', ns, ...extra])).stdout.split('\n');
    const [head, row] = await get();
    expect(head).toMatch(/^NAME\s+READY\s+SECRET\s+REASON\s+DRIFTED\s+AGE$/);
    expect(row).toMatch(/^columns\s+False\s+shop-tls\s+DeployFailed\s+True\s+\S+$/);
    const [wideHead, wideRow] = await get('-o', 'wide');
    expect(wideHead).toMatch(/^NAME\s+READY\s+SECRET\s+REASON\s+DRIFTED\s+MESSAGE\s+FINGERPRINT\s+NOT AFTER\s+AGE$/);
    expect(wideRow).toContain(`shop-tls   DeployFailed   True      ${message}   ${'ab'.repeat(32)}   2027-03-01T00:00:00Z`);
  });
});

/**
 * A plugin target through the real controller against the real apiserver, with the product's
 * default connector runtime (permission-model workers; plugin targets run in the WASM tier in the
 * operator process instead, since a worker has no plugin to load): the example plugin
 * (built here from source) is installed the way docs/plugins.md says — a directory laid out like
 * a mounted ConfigMap (`..data` symlinks), loaded with the operator's own loader — and:
 * - with its sha256 pinned by the namespace's DeploymentPolicy, the CertificateDeployment
 *   reaches Ready, the files land, and status shows the plugin's name, version and digest;
 * - without a pin, or with another digest pinned, the target is refused before any plugin code
 *   runs (PluginNotPinned / PluginDigestMismatch) and nothing is written;
 * - a config that fails the manifest's JSON Schema is InvalidSpec, naming the field.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildPlugin, type BuiltPlugin } from '../../../hack/plugins/build.ts';
import { loadPluginDir } from '../../../src/sandbox/wasm/index.ts';
import { mintChain, type MintedChain } from '../../support/certs/index.ts';
import { createDeployment, eventually, kubeClients, putTlsSecret, readyOf, startController, type RunningController } from '../../support/controller-harness.ts';
import { deletePolicy, putPolicy } from '../../support/policy-fixtures.ts';
import { filesBelow, labelledNamespace, targetReason } from '../policy/policy-test-kit.ts';
import { testWorkerRuntime } from '../../conformance/worker-mode.ts';

const kubeconfig = inject('kubeconfigPath');
const workers = testWorkerRuntime();
const { core, objects } = kubeClients(kubeconfig);
let ctl: RunningController;
let built: BuiltPlugin;
let chain: MintedChain;
let dir = '';
const ns: Record<'pinned' | 'unpinned' | 'mismatch', string> = { pinned: '', unpinned: '', mismatch: '' };
const policies = { pinned: `plugin-pinned-${process.pid}`, unpinned: `plugin-unpinned-${process.pid}`, mismatch: `plugin-mismatch-${process.pid}` };
const root = (which: string) => join(dir, 'targets', which);

/** What an admin would grant the plugin's targets in one namespace, plus the pins given. */
const policyFor = (namespace: string, which: string, plugins?: { name: string; sha256: string }[]) => ({
  namespaces: [namespace],
  hosts: [{ local: {}, pathRoots: [root(which)], commands: [['/bin/true']] }],
  ...(plugins === undefined ? {} : { plugins }),
});

const pluginTarget = (which: string, config: Record<string, unknown> = {}) => ({
  name: 'edge',
  plugin: { name: 'pem-files', host: { local: {} }, config: { certificatePath: join(root(which), 'tls.crt'), privateKeyPath: join(root(which), 'tls.key'), reload: ['/bin/true'], ...config } },
});

beforeAll(async () => {
  built = await buildPlugin('pem-files');
  dir = await realpath(await mkdtemp(join(tmpdir(), 'cd-plugin-')));
  // The layout kubelet gives a ConfigMap volume: the file behind ..data, a symlink per key.
  const plugins = join(dir, 'plugins');
  await mkdir(join(plugins, '..2026_12_05_00_00_00.1'), { recursive: true });
  await copyFile(built.path, join(plugins, '..2026_12_05_00_00_00.1', 'pem-files.wasm'));
  await symlink('..2026_12_05_00_00_00.1', join(plugins, '..data'));
  await symlink('..data/pem-files.wasm', join(plugins, 'pem-files.wasm'));
  for (const w of ['pinned', 'unpinned', 'mismatch']) await mkdir(root(w), { recursive: true });
  chain = await mintChain({ name: 'Plugin' });
  for (const w of ['pinned', 'unpinned', 'mismatch'] as const) {
    ns[w] = await labelledNamespace(core, `plugin-${w}`);
    await putTlsSecret(core, ns[w], 'tls', chain.leafPem, chain.keyPem);
  }
  await putPolicy(objects, policies.pinned, policyFor(ns.pinned, 'pinned', [{ name: 'pem-files', sha256: built.sha256 }]));
  await putPolicy(objects, policies.unpinned, policyFor(ns.unpinned, 'unpinned'));
  await putPolicy(objects, policies.mismatch, policyFor(ns.mismatch, 'mismatch', [{ name: 'pem-files', sha256: 'f'.repeat(64) }]));
  const catalog = await loadPluginDir(plugins);
  expect(catalog.problems.map((p) => p.message)).toEqual([]);
  ctl = startController(kubeconfig, { namespaces: Object.values(ns) }, { allowAll: false, plugins: catalog, connectorRuntime: workers });
}, 180_000);

afterAll(async () => {
  await ctl?.stop();
  for (const p of Object.values(policies)) await deletePolicy(objects, p);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a plugin target through the controller', () => {
  it('pinned: Ready, the files land, status shows plugin name, version and digest', async () => {
    await createDeployment(objects, ns.pinned, 'web', { secretRef: { name: 'tls' }, targets: [pluginTarget('pinned')] });
    const t = await targetReason(objects, ns.pinned, 'web', 'edge', (x) => x.ready, 60_000);
    expect(t).toMatchObject({ reason: 'Deployed', policies: [policies.pinned] });
    expect((t as { plugin?: unknown }).plugin).toEqual({ name: 'pem-files', version: '0.1.0', sha256: built.sha256 });
    expect(await readFile(join(root('pinned'), 'tls.key'), 'utf8')).toBe(chain.keyPem);
    const ready = await eventually(async () => {
      const r = await readyOf(objects, ns.pinned, 'web');
      return r?.ready === 'True' ? r : undefined;
    }, 30_000, 'Ready condition');
    expect(ready.reason).toBe('Deployed');
  });

  it('not pinned: PluginNotPinned, nothing written', async () => {
    await createDeployment(objects, ns.unpinned, 'web', { secretRef: { name: 'tls' }, targets: [pluginTarget('unpinned')] });
    const t = await targetReason(objects, ns.unpinned, 'web', 'edge', (x) => x.reason === 'PluginNotPinned');
    expect(t.ready).toBe(false);
    expect(t.message).toContain(`sha256: ${built.sha256}`);
    expect((t as { plugin?: unknown }).plugin).toEqual({ name: 'pem-files', version: '0.1.0', sha256: built.sha256 });
    expect(await filesBelow(root('unpinned'))).toEqual([]);
    expect((await readyOf(objects, ns.unpinned, 'web'))?.ready).toBe('False');
    expect(ctl.events.some((e) => e.reason === 'PluginRefused' && e.name === 'web')).toBe(true);
  });

  it('another digest pinned: PluginDigestMismatch naming both digests, nothing written', async () => {
    await createDeployment(objects, ns.mismatch, 'web', { secretRef: { name: 'tls' }, targets: [pluginTarget('mismatch')] });
    const t = await targetReason(objects, ns.mismatch, 'web', 'edge', (x) => x.reason === 'PluginDigestMismatch');
    expect(t.message).toContain(built.sha256);
    expect(t.message).toContain('sha256:ffffffffffff');
    expect(existsSync(join(root('mismatch'), 'tls.crt'))).toBe(false);
  });

  it('a config the manifest schema refuses: InvalidSpec naming the field', async () => {
    await createDeployment(objects, ns.pinned, 'bad', { secretRef: { name: 'tls' }, targets: [pluginTarget('pinned', { commandTimeoutSeconds: 0, certificatePath: join(root('pinned'), 'bad.crt') })] });
    const t = await targetReason(objects, ns.pinned, 'bad', 'edge', (x) => x.reason === 'InvalidSpec');
    expect(t.message).toMatch(/config\.commandTimeoutSeconds/);
    expect(existsSync(join(root('pinned'), 'bad.crt'))).toBe(false);
  });
});

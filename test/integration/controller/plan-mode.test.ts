/**
 * Plan mode against the real apiserver and the real controller (worker runtime): the
 * docs/plan.md manifest, paths moved into a temp dir. In Plan mode the file target shows its
 * plan in status and nothing is written; switched to Apply, it deploys, and the files written
 * are exactly the planned writes (paths and modes), nothing else.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GROUP, PLURAL, VERSION } from '../../../src/crds/names.ts';
import { mintChain, type MintedChain } from '../../support/certs/index.ts';
import { yamlBlocks } from '../../support/connector-docs.ts';
import { createDeployment, eventually, getDeployment, kubeClients, putTlsSecret, readyOf, startController, type RunningController } from '../../support/controller-harness.ts';
import { createTestNamespace } from '../../support/kube.ts';

const kubeconfig = inject('kubeconfigPath');
const { core, objects } = kubeClients(kubeconfig);
let ns = '';
let dir = '';
let ctl: RunningController;
let chain: MintedChain;
const fingerprintOf = (pem: string) => new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();

beforeAll(async () => {
  ns = await createTestNamespace('plan');
  dir = await mkdtemp(join(tmpdir(), 'cd-plan-'));
  chain = await mintChain({ dnsNames: ['plan.example.test'] });
  ctl = startController(kubeconfig, { namespaces: [ns] });
});
afterAll(async () => {
  await ctl?.stop();
  await rm(dir, { recursive: true, force: true });
});

interface PlannedAction { kind: string; path?: string; mode?: number; material?: string }
interface TargetView { name: string; ready: boolean; reason?: string; message?: string; fingerprint?: string; plan?: { fingerprint: string; specHash: string; actions: PlannedAction[] } }
const targetOf = async (name: string) => ((await getDeployment(objects, ns, name)).status as { targets?: TargetView[] } | undefined)?.targets?.[0];

describe('spec.mode: Plan', () => {
  it('shows the plan and writes nothing; Apply then writes exactly the planned files', async () => {
    const page = await yamlBlocks(join(import.meta.dirname, '..', '..', '..', 'docs', 'plan.md'));
    const manifest = page.find((b) => b.kind === 'CertificateDeployment') as { metadata: { name: string }; spec: { secretRef: { name: string }; mode: string; targets: { name: string; file: Record<string, string> }[] } };
    expect(manifest.spec.mode).toBe('Plan');
    const name = manifest.metadata.name;
    const spec = structuredClone(manifest.spec);
    for (const t of spec.targets) for (const k of ['certificatePath', 'privateKeyPath']) t.file[k] = join(dir, t.file[k]!.split('/').pop()!);
    await putTlsSecret(core, ns, spec.secretRef.name, chain.chainPem.slice(0, -1).join(''), chain.keyPem);
    await createDeployment(objects, ns, name, spec);

    const planned = await eventually(async () => {
      const t = await targetOf(name);
      return t?.reason === 'Planned' ? t : undefined;
    }, 30_000, 'Planned');
    expect(await readdir(dir), 'plan mode writes nothing').toEqual([]);
    expect(planned.ready).toBe(false);
    expect(planned.plan!.fingerprint).toBe(fingerprintOf(chain.leafPem));
    const writes = planned.plan!.actions.filter((a) => a.kind === 'writeFile');
    expect(planned.plan!.actions.map((a) => a.kind)).toEqual(['writeFile', 'writeFile']);
    expect(writes.map((a) => [a.path, a.material, a.mode])).toEqual([
      [join(dir, 'tls.crt'), 'chain', 0o644],
      [join(dir, 'tls.key'), 'privateKey', 0o600],
    ]);
    expect(JSON.stringify(planned), 'no key material in status').not.toContain(chain.keyPem.split('\n')[1]);
    expect((await readyOf(objects, ns, name))?.reason).toBe('Planned');
    // A plan for this certificate and spec is not recomputed.
    const invocations = ctl.counts.invocations;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(ctl.counts.invocations).toBe(invocations);
    if (process.env.CD_PLAN_EXCERPT) console.log(JSON.stringify({ plan: (await getDeployment(objects, ns, name)).status }, null, 2));

    await objects.patchNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: ns, name, body: [{ op: 'replace', path: '/spec/mode', value: 'Apply' }] });
    await eventually(async () => ((await readyOf(objects, ns, name))?.ready === 'True' ? true : undefined), 30_000, 'Ready after Apply');
    const applied = (await targetOf(name))!;
    expect(applied.message).toMatch(/^applied the plan: /);
    expect(applied.plan).toBeUndefined();
    expect(applied.fingerprint).toBe(fingerprintOf(chain.leafPem));
    // Exactly the planned writes: the same files (paths and modes), nothing else in the directory.
    expect((await readdir(dir)).sort()).toEqual(writes.map((w) => w.path!.split('/').pop()!).sort());
    for (const w of writes) expect((await stat(w.path!)).mode & 0o777).toBe(w.mode);
    if (process.env.CD_PLAN_EXCERPT) console.log(JSON.stringify({ apply: (await getDeployment(objects, ns, name)).status }, null, 2));
  });
});

/**
 * Progressive rollout (spec.rollout) against the real control plane, the real controller and a
 * real nginx:
 * - the docs/rollout.md manifest is accepted as written (defaults kept), and the CEL rules refuse
 *   a name that is no target, a target in two waves, waves with canary, a pause over 24h;
 * - 30 `file` targets, one nginx server block each (one nginx, one port, a site per SNI; every
 *   verify is a real handshake), 3 waves (two named, the rest), pauseAfterWave 3s: a rotation
 *   goes wave by wave (asserted from the targets' deploy times in status), edge-15 in wave 2 has
 *   a reload command that fails → the rollout halts with RolloutHalted naming it, wave 3 keeps
 *   the previous certificate on disk and on the wire, and nothing happens to it while halted;
 *   fixing edge-15's reload resumes the rollout and wave 3 follows after the pause; a restart
 *   over the completed rollout makes no connector call and no status write.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GROUP, PLURAL, VERSION } from '../../../src/crds/names.ts';
import type { DeploymentStatus, TargetStatus } from '../../../src/crds/status.ts';
import { mintChain, type MintedChain } from '../../support/certs/index.ts';
import { yamlBlocks } from '../../support/connector-docs.ts';
import { createDeployment, eventually, getDeployment, kubeClients, putTlsSecret, startController, type RunningController } from '../../support/controller-harness.ts';
import { createTestNamespace } from '../../support/kube.ts';
import { startNginxSites, type NginxSites } from '../../support/servers/nginx-sites.ts';
import { servedLeaf, waitUntilServed } from '../../support/servers/tls-served.ts';

const kubeconfig = inject('kubeconfigPath');
const { core, objects } = kubeClients(kubeconfig);
const crd = { group: GROUP, version: VERSION, plural: PLURAL };
const fp = (pem: string): string => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
const run = promisify(execFile);

const NAMES = Array.from({ length: 30 }, (_, i) => `edge-${String(i + 1).padStart(2, '0')}`);
const WAVE1 = NAMES.slice(0, 10);
const WAVE2 = NAMES.slice(10, 20);
const WAVE3 = NAMES.slice(20);
const BROKEN = 'edge-15';
const PAUSE_MS = 3_000;

let ns = '';
let ctl: RunningController;
let nginx: NginxSites;
let previous: MintedChain;
let next: MintedChain;

beforeAll(async () => {
  ns = await createTestNamespace('rollout');
  [previous, next] = await Promise.all([mintChain({ dnsNames: ['edges.rollout.test'] }), mintChain({ dnsNames: ['edges.rollout.test'] })]);
  // One nginx process per site (30 processes): each target's reload parses only its own pair.
  nginx = await startNginxSites(NAMES, { chainPem: previous.chainPem.slice(0, -1).join(''), keyPem: previous.keyPem, leafFingerprint: fp(previous.leafPem) }, { sitesPerProcess: 1 });
  ctl = startController(kubeconfig, { namespaces: [ns] });
}, 180_000);

afterAll(async () => {
  await ctl?.stop();
  await nginx?.stop();
}, 60_000);

const status = async (name: string): Promise<DeploymentStatus> => ((await getDeployment(objects, ns, name)).status ?? {}) as DeploymentStatus;
const ready = (s: DeploymentStatus) => s.conditions?.find((c) => c.type === 'Ready');
const byName = (s: DeploymentStatus) => new Map((s.targets ?? []).map((t) => [t.name, t] as const));
const at = (t: TargetStatus | undefined) => Date.parse(t?.deployedAt ?? 'x');

/** Waits for `want` on the deployment's status; a timeout says where the rollout stood. */
async function until(want: (s: DeploymentStatus) => boolean, what: string, timeoutMs = 90_000): Promise<DeploymentStatus> {
  let last: DeploymentStatus = {};
  try {
    return await eventually(async () => {
      last = await status('edges');
      return want(last) ? last : undefined;
    }, timeoutMs, what);
  } catch (err) {
    const notReady = (last.targets ?? []).filter((t) => !t.ready || t.fingerprint !== last.fingerprint).map((t) => ({ name: t.name, reason: t.reason, message: t.message }));
    throw new Error(`${(err as Error).message}; rollout ${JSON.stringify(last.rollout)}; Ready ${JSON.stringify(ready(last))}; not ready ${JSON.stringify(notReady)}`, { cause: err });
  }
}

/** A file target for site `name`; `broken` gives it a reload command that fails. */
function target(name: string, broken = false) {
  const site = nginx.site(name);
  return {
    name,
    file: { certificatePath: site.certificatePath, privateKeyPath: site.privateKeyPath, reload: { argv: broken ? ['/bin/false'] : [...site.reloadArgv] } },
    verify: { endpoints: [{ address: site.address, serverName: site.serverName }], timeoutSeconds: 60 },
  };
}

describe('progressive rollout', () => {
  it('the docs/rollout.md manifest is accepted as written; CEL refuses what zod refuses; kubectl explain describes the fields', async () => {
    const doc = (await yamlBlocks(join(import.meta.dirname, '..', '..', '..', 'docs', 'rollout.md'))).find((b) => b.kind === 'CertificateDeployment') as { metadata: Record<string, unknown>; spec: Record<string, unknown> & { rollout: Record<string, unknown> } };
    const body = (name: string, rollout: Record<string, unknown>) => ({ ...doc, metadata: { name, namespace: ns }, spec: { ...doc.spec, rollout } });
    const created = await objects.createNamespacedCustomObject({ ...crd, namespace: ns, body: body('from-docs', doc.spec.rollout) }) as { spec: { rollout: Record<string, unknown> } };
    expect(created.spec.rollout).toEqual({ canary: ['edge-1'], maxConcurrent: 2, pauseAfterWave: '5m', haltOnFailure: true });
    await objects.deleteNamespacedCustomObject({ ...crd, namespace: ns, name: 'from-docs' });
    const refused: [Record<string, unknown>, RegExp][] = [
      [{ waves: [{ targets: ['edge-1', 'edge-9'] }] }, /every name in spec.rollout must be the name of a target in spec.targets/],
      [{ canary: ['nope'] }, /every name in spec.rollout must be the name of a target in spec.targets/],
      [{ waves: [{ targets: ['edge-1'] }, { targets: ['edge-2', 'edge-1'] }] }, /a target may be in at most one wave of spec.rollout.waves/],
      [{ waves: [{ targets: ['edge-1'] }], canary: ['edge-2'] }, /set either waves or canary, not both/],
      [{ canary: ['edge-1'], pauseAfterWave: '25h' }, /pauseAfterWave must be a duration such as 30s, 5m or 1h, at most 24h/],
      [{ waves: [{ targets: ['edge-1', 'edge-1'] }] }, /Duplicate value/],
    ];
    // kubectl explain shows the schema's descriptions.
    const kubectl = join(inject('k8sBinDir'), 'kubectl');
    const explain = async (field: string) => (await run(kubectl, ['--kubeconfig', kubeconfig, 'explain', `certdeploy.${field}`])).stdout.replace(/\s+/g, ' '); // kubectl wraps long descriptions
    expect(await explain('spec.rollout')).toMatch(/Progressive rollout: a new certificate goes to the targets in ordered waves/);
    expect(await explain('spec.rollout.pauseAfterWave')).toMatch(/How long to wait after a wave is deployed and verified before the next starts/);
    expect(await explain('status.rollout.haltedBy')).toMatch(/Targets whose failure halted the rollout/);
    for (const [rollout, want] of refused) {
      await expect(objects.createNamespacedCustomObject({ ...crd, namespace: ns, body: body('refused', rollout) }), JSON.stringify(rollout)).rejects.toThrow(want);
    }
  });

  it('30 nginx sites over 3 waves: wave by wave, halted by a failing target in wave 2, resumed by its fix', async () => {
    const spec = {
      secretRef: { name: 'edges-tls' },
      rollout: { waves: [{ targets: WAVE1 }, { targets: WAVE2 }], pauseAfterWave: `${PAUSE_MS / 1000}s` },
      targets: NAMES.map((n) => target(n)),
    };
    // First deploy: the sites already serve `previous`; the rollout takes it through the waves.
    await putTlsSecret(core, ns, 'edges-tls', previous.chainPem.slice(0, -1).join(''), previous.keyPem);
    await createDeployment(objects, ns, 'edges', spec);
    const first = await until((s) => ready(s)?.status === 'True', 'first deploy Ready');
    expect(first.rollout).toMatchObject({ phase: 'Complete', wave: 3, waves: 3 });
    // Now give edge-15 the refused reload (a spec change of a done target changes nothing yet).
    await objects.patchNamespacedCustomObject({ ...crd, namespace: ns, name: 'edges', body: [{ op: 'replace', path: `/spec/targets/${NAMES.indexOf(BROKEN)}`, value: target(BROKEN, true) }] });
    await eventually(async () => ((await status('edges')).targets?.find((t) => t.name === BROKEN)?.observedGeneration === 2 ? true : undefined), 30_000, 'edge-15 re-run on the new spec');

    // Rotation.
    const rotatedAt = Date.now();
    await putTlsSecret(core, ns, 'edges-tls', next.chainPem.slice(0, -1).join(''), next.keyPem);
    const halted = await until((s) => s.rollout?.phase === 'Halted' && ready(s)?.reason === 'RolloutHalted', 'RolloutHalted');
    const NEW = fp(next.leafPem);
    const OLD = fp(previous.leafPem);
    expect(halted.rollout, JSON.stringify(halted.targets?.filter((x) => !x.ready))).toMatchObject({ wave: 2, waves: 3, haltedBy: [BROKEN], current: [BROKEN], pending: WAVE3 });
    expect(ready(halted)?.message).toMatch(/^rollout halted at wave 2\/3 by edge-15; 10 target\(s\) of later waves keep the previous certificate: edge-15 failed \(DeployFailed: /);
    const t = byName(halted);
    // Wave by wave: every target of wave 2 started after the last of wave 1 was done plus the pause.
    for (const n of [...WAVE1, ...WAVE2.filter((x) => x !== BROKEN)]) expect(t.get(n), n).toMatchObject({ ready: true, fingerprint: NEW });
    const wave1Done = Math.max(...WAVE1.map((n) => at(t.get(n))));
    const wave2Start = Math.min(...WAVE2.filter((x) => x !== BROKEN).map((n) => at(t.get(n))));
    expect(Math.min(...WAVE1.map((n) => at(t.get(n))))).toBeGreaterThanOrEqual(rotatedAt - 1_000);
    expect(wave2Start - wave1Done).toBeGreaterThanOrEqual(PAUSE_MS);
    expect(t.get(BROKEN)).toMatchObject({ ready: false, fingerprint: OLD, attemptedFingerprint: NEW, reason: 'DeployFailed' });
    for (const n of WAVE3) expect(t.get(n), n).toMatchObject({ ready: true, fingerprint: OLD });
    for (const n of WAVE3) expect(at(t.get(n)), n).toBeLessThan(rotatedAt);

    // Wave 3 and edge-15 keep the previous certificate on disk and, after a reload of our own
    // (nginx re-reads the site's files), on the wire; waves 1 and 2 serve the new one.
    const onDisk = async (n: string) => fp((await readFile(nginx.site(n).certificatePath, 'utf8')).match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/)![0]);
    for (const n of [...WAVE3, BROKEN]) expect(await onDisk(n), n).toBe(OLD);
    for (const n of [...WAVE3, BROKEN]) await run(nginx.site(n).reloadArgv[0]!, nginx.site(n).reloadArgv.slice(1));
    const served = (n: string, want: string) => waitUntilServed(nginx.site(n).address, nginx.site(n).serverName, want);
    for (const n of [...WAVE3, BROKEN]) expect(await served(n, OLD), n).toBe(OLD);
    for (const n of [...WAVE1, ...WAVE2.filter((x) => x !== BROKEN)]) expect(await servedLeaf(nginx.site(n).address, nginx.site(n).serverName), n).toBe(NEW);

    // While halted, longer than a pause: nothing is deployed, wave 3 is untouched.
    const invocations = ctl.counts.invocations;
    await new Promise((r) => setTimeout(r, PAUSE_MS + 2_000));
    expect(ctl.counts.invocations).toBe(invocations);
    expect((await status('edges')).rollout?.phase).toBe('Halted');
    if (process.env.CD_ROLLOUT_EXCERPT) await writeFile(process.env.CD_ROLLOUT_EXCERPT, JSON.stringify({ rollout: halted.rollout, ready: ready(halted), [BROKEN]: t.get(BROKEN), [WAVE3[0]!]: t.get(WAVE3[0]!) }, null, 2));

    // The fix: edge-15 gets the working reload; it deploys at once, wave 2 is done, wave 3 follows after the pause.
    const fixedAt = Date.now();
    await objects.patchNamespacedCustomObject({ ...crd, namespace: ns, name: 'edges', body: [{ op: 'replace', path: `/spec/targets/${NAMES.indexOf(BROKEN)}`, value: target(BROKEN) }] });
    const done = await until((s) => ready(s)?.status === 'True', 'Ready after the fix');
    expect(done.rollout).toMatchObject({ phase: 'Complete', wave: 3, waves: 3 });
    const d = byName(done);
    for (const n of NAMES) expect(d.get(n), n).toMatchObject({ ready: true, fingerprint: NEW });
    expect(at(d.get(BROKEN))).toBeGreaterThanOrEqual(fixedAt - 1_000);
    const wave2Done = Math.max(...WAVE2.map((n) => at(d.get(n))));
    expect(Math.min(...WAVE3.map((n) => at(d.get(n)))) - wave2Done).toBeGreaterThanOrEqual(PAUSE_MS);
    for (const n of NAMES) expect(await served(n, NEW), n).toBe(NEW);

    // A restart over the completed rollout: no connector call, no status write (status.rollout
    // comes back from the API server with its keys sorted and must compare equal).
    await ctl.stop();
    ctl = startController(kubeconfig, { namespaces: [ns] });
    await eventually(async () => (ctl.counts.reconciles >= 1 ? true : undefined), 30_000, 'a reconcile after the restart');
    expect(ctl.counts.invocations).toBe(0);
    expect(ctl.counts.statusWrites).toBe(0);
  }, 240_000);
});

/**
 * Drift detection against the real control plane, the real controller and a real nginx:
 * - the docs/drift.md manifest is accepted by the API server as written (defaults, CEL);
 * - files replaced behind the operator's back and nginx reloaded → `Diverged` naming the other
 *   certificate, Drifted=True, one Warning Event, no deploy (Report);
 * - switched to Repair → one connector call, nginx serves the deployed certificate again,
 *   `Serving`, `repairs: 1`;
 * - nginx stopped → `Unknown`, and over further checks no redeploy at all (no storm).
 * The interval is the spec's minimum, 10s, so each check comes 5–15 s after the last event.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GROUP, PLURAL, VERSION } from '../../../src/crds/names.ts';
import type { TargetStatus } from '../../../src/crds/status.ts';
import { mintChain, type MintedChain } from '../../support/certs/index.ts';
import { createDeployment, eventually, getDeployment, kubeClients, putTlsSecret, startController, type RunningController } from '../../support/controller-harness.ts';
import { yamlBlocks } from '../../support/connector-docs.ts';
import { createTestNamespace } from '../../support/kube.ts';
import { nginxSpec } from '../../support/servers/nginx.ts';
import { waitUntilServed } from '../../support/servers/tls-served.ts';
import { startWebServer, type WebServer } from '../../support/servers/web-server.ts';

const kubeconfig = inject('kubeconfigPath');
const { core, objects } = kubeClients(kubeconfig);
const crd = { group: GROUP, version: VERSION, plural: PLURAL };
const SNI = 'shop.example.test';
const fp = (pem: string): string => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
const run = promisify(execFile);

let ns = '';
let dir = '';
let ctl: RunningController;
let server: WebServer;
let chain: MintedChain;
let other: MintedChain;

beforeAll(async () => {
  ns = await createTestNamespace('drift');
  dir = await mkdtemp(join(tmpdir(), 'cd-drift-'));
  [chain, other] = await Promise.all([mintChain({ dnsNames: [SNI] }), mintChain({ name: 'Someone else', dnsNames: [SNI] })]);
  server = await startWebServer(nginxSpec, { files: { certificatePath: join(dir, 'site.crt'), privateKeyPath: join(dir, 'site.key') }, dir: join(dir, 'nginx') });
  ctl = startController(kubeconfig, { namespaces: [ns] });
}, 180_000);

afterAll(async () => {
  await ctl?.stop();
  await server?.stop();
  if (dir !== '') await rm(dir, { recursive: true, force: true });
}, 60_000);

async function edge(name: string): Promise<TargetStatus | undefined> {
  return (await getDeployment(objects, ns, name)).status?.targets?.find((t) => t.name === 'edge') as TargetStatus | undefined;
}
const waitEdge = (name: string, want: (t: TargetStatus) => boolean, what: string, timeoutMs = 60_000) =>
  eventually(async () => {
    const t = await edge(name);
    return t && want(t) ? t : undefined;
  }, timeoutMs, what);

describe('drift detection with real nginx', () => {
  it('the docs/drift.md manifest is accepted as written, with its fields kept', async () => {
    const doc = (await yamlBlocks(join(import.meta.dirname, '..', '..', '..', 'docs', 'drift.md'))).find((b) => b.kind === 'CertificateDeployment') as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
    const created = await objects.createNamespacedCustomObject({ ...crd, namespace: ns, body: { ...doc, metadata: { ...doc.metadata, namespace: ns, name: 'from-docs' } } }) as { spec: { verify: { interval: string }; driftPolicy: string } };
    expect(created.spec.verify.interval).toBe('10m');
    expect(created.spec.driftPolicy).toBe('Repair');
    // The CEL bounds hold at admission: 5s is refused.
    await expect(objects.createNamespacedCustomObject({ ...crd, namespace: ns, body: { ...doc, metadata: { name: 'too-often', namespace: ns }, spec: { ...doc.spec, verify: { interval: '5s' } } } })).rejects.toThrow(/interval must be 0s \(off\) or between 10s and 168h/);
    await objects.deleteNamespacedCustomObject({ ...crd, namespace: ns, name: 'from-docs' });
  });

  it('Diverged under Report, repaired once under Repair, then Unknown without a redeploy storm when nginx stops', async () => {
    await putTlsSecret(core, ns, 'shop-tls', chain.chainPem.slice(0, -1).join(''), chain.keyPem);
    await createDeployment(objects, ns, 'shop', {
      secretRef: { name: 'shop-tls' },
      verify: { interval: '10s' },
      targets: [{
        name: 'edge',
        nginx: { host: { local: {} }, certificatePath: server.files.certificatePath, privateKeyPath: server.files.privateKeyPath, configTest: [...server.configTestArgv], reload: [...server.reloadArgv] },
        verify: { endpoints: [{ address: server.address, serverName: SNI }] },
      }],
    });
    const deployed = fp(chain.leafPem);
    await waitEdge('shop', (t) => t.ready && t.fingerprint === deployed, 'Ready');
    const serving = await waitEdge('shop', (t) => t.drift?.verdict === 'Serving', 'a first check: Serving', 40_000);
    expect(serving.drift).toMatchObject({ fingerprint: deployed, held: { verdict: 'Serving', fingerprint: deployed }, endpoints: [{ address: server.address, verdict: 'Serving', fingerprint: deployed }] });

    // Someone replaces the files and reloads nginx.
    const invocationsBefore = ctl.counts.invocations;
    await writeFile(server.files.certificatePath, other.chainPem.slice(0, -1).join(''));
    await writeFile(server.files.privateKeyPath, other.keyPem);
    await run(server.reloadArgv[0]!, server.reloadArgv.slice(1));
    expect(await waitUntilServed(server.address, SNI, fp(other.leafPem))).toBe(fp(other.leafPem));
    const diverged = await waitEdge('shop', (t) => t.drift?.verdict === 'Diverged', 'Diverged', 40_000);
    expect(diverged.drift).toMatchObject({ observedFingerprint: fp(other.leafPem), held: { verdict: 'Diverged', fingerprint: fp(other.leafPem) } });
    expect(diverged.drift?.observedNotAfter).toBe(new Date(new X509Certificate(other.leafPem).validTo).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    const cond = (await getDeployment(objects, ns, 'shop')).status?.conditions?.find((c) => c.type === 'Drifted');
    expect(cond).toMatchObject({ status: 'True', reason: 'Diverged' });
    expect(ctl.events.filter((e) => e.name === 'shop' && e.reason === 'Drifted')).toHaveLength(1);
    expect(ctl.counts.invocations).toBe(invocationsBefore); // Report: nothing redeployed

    // Repair: one connector call puts the deployed certificate back.
    await objects.patchNamespacedCustomObject({ ...crd, namespace: ns, name: 'shop', body: [{ op: 'replace', path: '/spec/driftPolicy', value: 'Repair' }] });
    const repaired = await waitEdge('shop', (t) => t.drift?.repairs === 1, 'repaired', 40_000);
    expect(repaired.drift?.verdict).toBe('Serving');
    expect(ctl.counts.invocations).toBe(invocationsBefore + 1);
    expect(await waitUntilServed(server.address, SNI, deployed)).toBe(deployed);
    expect(ctl.events.find((e) => e.name === 'shop' && e.reason === 'DriftRepaired')?.note).toMatch(/^edge: redeployed after Diverged .*; now Serving$/);
    const afterRepair = await getDeployment(objects, ns, 'shop');
    if (process.env.CD_DRIFT_EXCERPT) await writeFile(process.env.CD_DRIFT_EXCERPT, JSON.stringify({ diverged: { drift: diverged.drift, condition: cond }, repaired: { drift: repaired.drift, conditions: afterRepair.status?.conditions } }, null, 2));

    // nginx stops: no verdict, and no redeploy however many checks come.
    await server.stop();
    const unknown = await waitEdge('shop', (t) => t.drift?.verdict === 'Unknown', 'Unknown', 40_000);
    const checks = new Set([unknown.drift!.checkedAt]);
    await waitEdge('shop', (t) => {
      if (t.drift?.checkedAt) checks.add(t.drift.checkedAt);
      return checks.size >= 3;
    }, 'two more checks', 60_000);
    const last = (await edge('shop'))!;
    expect(last.drift).toMatchObject({ verdict: 'Unknown', repairs: 1 });
    expect(last.ready).toBe(true);
    expect(ctl.counts.invocations).toBe(invocationsBefore + 1);
    expect((await getDeployment(objects, ns, 'shop')).status?.conditions?.find((c) => c.type === 'Drifted')).toMatchObject({ status: 'Unknown', reason: 'Unreachable' });
  }, 240_000);
});

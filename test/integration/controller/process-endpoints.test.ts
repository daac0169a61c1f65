/**
 * The controller process's own surface: /metrics with controller-runtime and cert-deployer
 * names, /healthz and /readyz, and logs (at debug level) that never carry key material.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { keyMaterialLeaks, mintChain } from '../../support/certs/index.ts';
import { createDeployment, eventually, kubeClients, putTlsSecret, readyOf, waitDeploymentGone } from '../../support/controller-harness.ts';
import { spawnController, type ControllerProcess } from '../../support/controller-process.ts';
import { createTestNamespace } from '../../support/kube.ts';

const kubeconfig = inject('kubeconfigPath');
const { core, objects } = kubeClients(kubeconfig);
let proc: ControllerProcess | undefined;
let dir = '';

afterAll(async () => {
  proc?.child.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('controller process endpoints and logs', () => {
  it('serves metrics and probes, and logs no key material', async () => {
    const ns = await createTestNamespace('proc');
    dir = await mkdtemp(join(tmpdir(), 'cd-proc-'));
    const chain = await mintChain({ keyAlgorithm: 'rsa' });
    await putTlsSecret(core, ns, 'tls', chain.leafPem, chain.keyPem);
    proc = await spawnController(['--kubeconfig', kubeconfig, '--namespaces', ns, '--leader-elect', 'false', '--log-level', 'trace']);
    const base = proc.metricsUrl.replace(/\/metrics$/, '');
    await eventually(async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined), 30_000, '/readyz');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    // A deployment that succeeds and one that fails (its reload exits 1) exercise both log paths.
    await createDeployment(objects, ns, 'ok', { secretRef: { name: 'tls' }, targets: [{ name: 'f', file: { certificatePath: join(dir, 'a.crt'), privateKeyPath: join(dir, 'a.key') } }] });
    await createDeployment(objects, ns, 'bad', { secretRef: { name: 'tls' }, targets: [{ name: 'f', file: { certificatePath: join(dir, 'b.crt'), privateKeyPath: join(dir, 'b.key'), reload: { argv: ['/bin/sh', '-c', 'cat "$0"; exit 1', join(dir, 'b.key')] } } }] });
    await eventually(async () => ((await readyOf(objects, ns, 'ok'))?.ready === 'True' ? true : undefined), 30_000, 'ok Ready');
    const bad = await eventually(async () => { const r = await readyOf(objects, ns, 'bad'); return r?.reason === 'DeployFailed' ? r : undefined; }, 30_000, 'bad DeployFailed');

    const metrics = await (await fetch(proc.metricsUrl)).text();
    // A Ready deployment's reconcile ends with its next drift check scheduled (spec.verify.interval,
    // default 1 h), so it counts as requeue_after, as controller-runtime labels a RequeueAfter result.
    for (const name of ['controller_runtime_reconcile_total{controller="certificatedeployment",result="requeue_after"}', 'controller_runtime_reconcile_time_seconds_bucket', 'workqueue_depth', 'workqueue_adds_total', 'workqueue_retries_total', 'cert_deployer_deploys_total{connector="file",result="success"} 1', 'cert_deployer_deploys_total{connector="file",result="DeployFailed"}', `cert_deployer_certificate_expiry_timestamp_seconds{namespace="${ns}",name="ok"}`,
      'controller_runtime_reconcile_errors_total{controller="certificatedeployment"}', 'controller_runtime_active_workers{controller="certificatedeployment"}', 'controller_runtime_max_concurrent_reconciles{controller="certificatedeployment"} 4',
      // Leader election is off: the one replica reconciles and reports itself as leader of the default Lease name.
      'leader_election_master_status{name="cert-deployer-controller"} 1',
      `cert_deployer_watch_stale{informer="certificatedeployments/${ns}"} 0`, `cert_deployer_watch_last_activity_timestamp_seconds{informer="secrets/${ns}"}`]) {
      expect(metrics).toContain(name);
    }
    // A deleted deployment leaves no series behind, also under deletionPolicy: Retain (no finalizer, no cleanup run).
    await createDeployment(objects, ns, 'retained', { secretRef: { name: 'tls' }, deletionPolicy: 'Retain', targets: [{ name: 'f', file: { certificatePath: join(dir, 'c.crt'), privateKeyPath: join(dir, 'c.key') } }] });
    const retained = `cert_deployer_certificate_expiry_timestamp_seconds{namespace="${ns}",name="retained"}`;
    await eventually(async () => ((await (await fetch(proc!.metricsUrl)).text()).includes(retained) ? true : undefined), 30_000, 'retained expiry series');
    await objects.deleteNamespacedCustomObject({ group: 'certdeployer.io', version: 'v1alpha1', namespace: ns, plural: 'certificatedeployments', name: 'retained' });
    await waitDeploymentGone(objects, ns, 'retained');
    await eventually(async () => ((await (await fetch(proc!.metricsUrl)).text()).includes(`name="retained"`) ? undefined : true), 30_000, 'retained series removed');
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    // Every line is one pino JSON record with an ISO time and the level's name (Kubernetes log tooling).
    const records = proc.logs.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { time: string; level: string; msg: string });
    expect(records.length).toBeGreaterThan(3);
    for (const r of records) {
      expect(r.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).toContain(r.level);
    }
    expect(records.map((r) => r.msg)).toEqual(expect.arrayContaining(['cert-deployer starting', 'shutting down', 'stopped']));
    const surfaces = [proc.logs.join(''), metrics, JSON.stringify(bad.status), bad.message ?? ''];
    expect(keyMaterialLeaks(surfaces, [chain.keyPem])).toEqual([]);
    expect(bad.message).toMatch(/REDACTED/); // the reload printed the key; the status quotes it redacted
  });
});

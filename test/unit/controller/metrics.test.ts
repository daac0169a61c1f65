/**
 * The metrics object as Prometheus scrapes it: per-target series with their four labels,
 * controller-runtime / client-go series present from the start, watch health read at scrape
 * time, and `forget` removing every series of a deleted deployment (and only that one).
 */
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/controller/metrics.ts';

const scrape = async (m: ReturnType<typeof createMetrics>) => (await m.registry.metrics()).split('\n').filter((l) => l && !l.startsWith('#'));
const series = async (m: ReturnType<typeof createMetrics>, prefix: string) => (await scrape(m)).filter((l) => l.startsWith(prefix));

describe('per-target series', () => {
  it('reports ready, last success and served notAfter with namespace, name, target and connector', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.target('shop', 'web', 'edge-1', 'nginx', { ready: true, lastSuccessSeconds: 1_790_000_000, servedNotAfterSeconds: 1_797_000_000 });
    m.target('shop', 'web', 'lb', 'haproxy', { ready: false });
    const labels = (t: string, c: string) => `{namespace="shop",name="web",target="${t}",connector="${c}"}`;
    expect(await series(m, 'cert_deployer_target_')).toEqual([
      `cert_deployer_target_ready${labels('edge-1', 'nginx')} 1`,
      `cert_deployer_target_ready${labels('lb', 'haproxy')} 0`,
      `cert_deployer_target_last_deploy_success_timestamp_seconds${labels('edge-1', 'nginx')} 1790000000`,
      `cert_deployer_target_served_certificate_expiry_timestamp_seconds${labels('edge-1', 'nginx')} 1797000000`,
    ]);
  });

  it('keeps the last known success time when a later sample is not ready, and moves series when the connector changes', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.target('ns', 'd', 't', 'nginx', { ready: true, lastSuccessSeconds: 100 });
    m.target('ns', 'd', 't', 'nginx', { ready: false });
    expect(await series(m, 'cert_deployer_target_')).toEqual([
      'cert_deployer_target_ready{namespace="ns",name="d",target="t",connector="nginx"} 0',
      'cert_deployer_target_last_deploy_success_timestamp_seconds{namespace="ns",name="d",target="t",connector="nginx"} 100',
    ]);
    m.target('ns', 'd', 't', 'apache', { ready: true });
    expect(await series(m, 'cert_deployer_target_')).toEqual(['cert_deployer_target_ready{namespace="ns",name="d",target="t",connector="apache"} 1']);
  });
});

describe('drift series', () => {
  it('reports drifted per target, counts checks by verdict and repairs by result, and forget removes drifted', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.target('ns', 'd', 't', 'nginx', { ready: true, drifted: true });
    m.target('ns', 'd', 'u', 'file', { ready: true });
    m.driftCheck('nginx', 'Diverged');
    m.driftCheck('nginx', 'Diverged');
    m.driftCheck('file', 'Unknown');
    m.driftRepair('nginx', 'success');
    expect(await series(m, 'cert_deployer_target_drifted')).toEqual(['cert_deployer_target_drifted{namespace="ns",name="d",target="t",connector="nginx"} 1']);
    expect(await series(m, 'cert_deployer_drift_')).toEqual([
      'cert_deployer_drift_checks_total{connector="nginx",verdict="Diverged"} 2',
      'cert_deployer_drift_checks_total{connector="file",verdict="Unknown"} 1',
      'cert_deployer_drift_repairs_total{connector="nginx",result="success"} 1',
    ]);
    m.target('ns', 'd', 't', 'nginx', { ready: true, drifted: false });
    expect(await series(m, 'cert_deployer_target_drifted')).toEqual(['cert_deployer_target_drifted{namespace="ns",name="d",target="t",connector="nginx"} 0']);
    m.forget('ns', 'd');
    expect(await series(m, 'cert_deployer_target_drifted')).toEqual([]);
  });
});

describe('rollout series', () => {
  it('reports the current wave, the number of waves and halted per deployment; undefined and forget remove them', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.rollout('shop', 'edges', { wave: 2, waves: 3, halted: true });
    m.rollout('shop', 'other', { wave: 1, waves: 1, halted: false });
    expect(await series(m, 'cert_deployer_rollout_')).toEqual([
      'cert_deployer_rollout_wave{namespace="shop",name="edges"} 2',
      'cert_deployer_rollout_wave{namespace="shop",name="other"} 1',
      'cert_deployer_rollout_waves{namespace="shop",name="edges"} 3',
      'cert_deployer_rollout_waves{namespace="shop",name="other"} 1',
      'cert_deployer_rollout_halted{namespace="shop",name="edges"} 1',
      'cert_deployer_rollout_halted{namespace="shop",name="other"} 0',
    ]);
    m.rollout('shop', 'other', undefined);
    m.forget('shop', 'edges');
    expect(await series(m, 'cert_deployer_rollout_')).toEqual([]);
  });
});

describe('forget', () => {
  it('removes every series of the deployment, including the Secret expiry, and nothing of others', async () => {
    const m = createMetrics({ defaultMetrics: false });
    for (const name of ['gone', 'kept']) {
      m.setExpiry('ns', name, 1_800_000_000);
      m.target('ns', name, 'a', 'file', { ready: true, lastSuccessSeconds: 1, servedNotAfterSeconds: 2 });
      m.target('ns', name, 'b', 'nginx', { ready: false, servedNotAfterSeconds: 3 });
    }
    m.target('other', 'gone', 'a', 'file', { ready: true }); // same name, other namespace
    m.forget('ns', 'gone');
    const left = (await scrape(m)).filter((l) => l.startsWith('cert_deployer_target_') || l.startsWith('cert_deployer_certificate_expiry'));
    expect(left.filter((l) => l.includes('namespace="ns",name="gone"'))).toEqual([]);
    expect(left.filter((l) => l.includes('name="kept"'))).toHaveLength(6);
    expect(left).toContain('cert_deployer_target_ready{namespace="other",name="gone",target="a",connector="file"} 1');
    m.forget('ns', 'never-seen'); // unknown: no throw
  });

  it('forgetTarget removes one target that left the spec', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.target('ns', 'd', 'a', 'file', { ready: true, lastSuccessSeconds: 5 });
    m.target('ns', 'd', 'b', 'file', { ready: true });
    m.forgetTarget('ns', 'd', 'a');
    m.forgetTarget('ns', 'd', 'zzz');
    expect(await series(m, 'cert_deployer_target_')).toEqual(['cert_deployer_target_ready{namespace="ns",name="d",target="b",connector="file"} 1']);
  });
});

describe('controller-runtime and client-go series', () => {
  it('exist from the start at 0, then follow reconcileError, activeWorkers and leader', async () => {
    const m = createMetrics({ defaultMetrics: false, leaseName: 'cd-lease', maxConcurrentReconciles: 4 });
    const pick = async () => (await scrape(m)).filter((l) => /^(controller_runtime_reconcile_errors_total|controller_runtime_active_workers|controller_runtime_max_concurrent_reconciles|leader_election_master_status)\{/.test(l));
    expect(await pick()).toEqual([
      'controller_runtime_reconcile_errors_total{controller="certificatedeployment"} 0',
      'controller_runtime_active_workers{controller="certificatedeployment"} 0',
      'controller_runtime_max_concurrent_reconciles{controller="certificatedeployment"} 4',
      'leader_election_master_status{name="cd-lease"} 0',
    ]);
    m.reconcileError();
    m.reconcileError();
    m.activeWorkers(3);
    m.leader(true);
    expect(await pick()).toEqual([
      'controller_runtime_reconcile_errors_total{controller="certificatedeployment"} 2',
      'controller_runtime_active_workers{controller="certificatedeployment"} 3',
      'controller_runtime_max_concurrent_reconciles{controller="certificatedeployment"} 4',
      'leader_election_master_status{name="cd-lease"} 1',
    ]);
    m.leader(false);
    expect(await pick()).toContain('leader_election_master_status{name="cd-lease"} 0');
  });

  it('a replica that loses the Lease drops the per-deployment series (the new leader reports them)', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.leader(true);
    m.setExpiry('ns', 'd', 1);
    m.target('ns', 'd', 't', 'file', { ready: false, lastSuccessSeconds: 1, servedNotAfterSeconds: 2 });
    m.deploy('file', 'DeployFailed', 0.5);
    m.leader(false);
    const left = await scrape(m);
    expect(left.filter((l) => l.includes('name="d"'))).toEqual([]);
    expect(left).toContain('cert_deployer_deploys_total{connector="file",result="DeployFailed"} 1'); // counters stay: rate() needs them
    m.target('ns', 'd', 't', 'file', { ready: true });
    expect(await series(m, 'cert_deployer_target_ready')).toEqual(['cert_deployer_target_ready{namespace="ns",name="d",target="t",connector="file"} 1']);
  });

  it('reads watch health at scrape time', async () => {
    const m = createMetrics({ defaultMetrics: false });
    let stale = false;
    m.watches(() => [{ name: 'secrets/ns', lastActivityMs: 1_700_000_000_500, stale }]);
    expect(await series(m, 'cert_deployer_watch_')).toEqual([
      'cert_deployer_watch_last_activity_timestamp_seconds{informer="secrets/ns"} 1700000000.5',
      'cert_deployer_watch_stale{informer="secrets/ns"} 0',
    ]);
    stale = true;
    expect(await series(m, 'cert_deployer_watch_stale')).toEqual(['cert_deployer_watch_stale{informer="secrets/ns"} 1']);
  });
});

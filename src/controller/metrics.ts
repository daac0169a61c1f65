/**
 * Prometheus metrics with controller-runtime's and client-go's names, so existing dashboards
 * and alerts work, plus cert-deployer's own (cert-manager's conventions: `_timestamp_seconds`
 * gauges, per-object `namespace`/`name` labels). Labels never carry key material or
 * fingerprints. Every series is listed with its labels in docs/metrics.md.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { WorkQueueMetrics } from './runtime/work-queue.ts';
import type { ReconcilerMetrics, RolloutSample } from './reconciler-deps.ts';

export const CONTROLLER_NAME = 'certificatedeployment';

/** What the last reconcile learned about one target. */
export interface TargetSample {
  /** The target's Ready condition is True. */
  ready: boolean;
  /** When the target last deployed successfully (epoch seconds); unknown leaves the series absent. */
  lastSuccessSeconds?: number;
  /** notAfter of the certificate the target served at its last verification (epoch seconds). */
  servedNotAfterSeconds?: number;
  /** The last drift check found another certificate (Diverged, InstalledNotBound, Absent); absent until a check ran. */
  drifted?: boolean;
}

/** What the informers report for the stale-watch alert (a subset of InformerHealth). */
export interface WatchSample {
  name: string;
  /** Wall-clock ms of the last event, bookmark or (re)connect. */
  lastActivityMs: number;
  stale: boolean;
}

export interface ControllerMetrics extends ReconcilerMetrics {
  readonly registry: Registry;
  readonly queue: WorkQueueMetrics;
  reconcile(result: 'success' | 'error' | 'requeue' | 'requeue_after', seconds: number): void;
  /** Sets (or, with `undefined`, removes) the rollout series of a deployment. */
  rollout(namespace: string, name: string, sample: RolloutSample | undefined): void;
  /** A reconcile returned an error (controller_runtime_reconcile_errors_total). */
  reconcileError(): void;
  /** Workers currently reconciling a key. */
  activeWorkers(n: number): void;
  /**
   * Whether this replica holds the leader Lease. Losing it drops the per-deployment and
   * per-target series: only the leader knows them, and a standby must not keep reporting a
   * stale "not ready" that the new leader has long fixed.
   */
  leader(isLeader: boolean): void;
  /** Sets the per-target series of one target of a deployment. */
  target(namespace: string, name: string, target: string, connector: string, sample: TargetSample): void;
  driftCheck(connector: string, verdict: string): void;
  driftRepair(connector: string, result: string): void;
  /** Removes the series of one target that left the deployment's spec. */
  forgetTarget(namespace: string, name: string, target: string): void;
  /** Registers the source of watch health, read at every scrape. */
  watches(source: () => readonly WatchSample[]): void;
}

export interface MetricsOptions {
  /** Process-wide Node.js metrics (off in tests that compare exact output). Default true. */
  defaultMetrics?: boolean;
  /** The Lease name, client-go's `name` label of leader_election_master_status. */
  leaseName?: string;
  /** --concurrency, reported as controller_runtime_max_concurrent_reconciles (dashboards plot active/max). */
  maxConcurrentReconciles?: number;
}

/** Creates a fresh registry (one per process; tests create their own). */
export function createMetrics(opts: MetricsOptions = {}): ControllerMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const c = { controller: CONTROLLER_NAME };
  const reconcileTotal = new Counter({ name: 'controller_runtime_reconcile_total', help: 'Total number of reconciliations per controller', labelNames: ['controller', 'result'], registers });
  const reconcileErrors = new Counter({ name: 'controller_runtime_reconcile_errors_total', help: 'Total number of reconciliation errors per controller', labelNames: ['controller'], registers });
  const reconcileTime = new Histogram({
    name: 'controller_runtime_reconcile_time_seconds', help: 'Length of time per reconciliation per controller', labelNames: ['controller'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120], registers,
  });
  const workers = new Gauge({ name: 'controller_runtime_active_workers', help: 'Number of currently used workers per controller', labelNames: ['controller'], registers });
  const maxWorkers = new Gauge({ name: 'controller_runtime_max_concurrent_reconciles', help: 'Maximum number of concurrent reconciles per controller', labelNames: ['controller'], registers });
  const leaderStatus = new Gauge({ name: 'leader_election_master_status', help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master', labelNames: ['name'], registers });
  const depth = new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name', 'controller'], registers });
  const adds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name', 'controller'], registers });
  const retries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name', 'controller'], registers });
  const queueDuration = new Histogram({ name: 'workqueue_queue_duration_seconds', help: 'How long in seconds an item stays in workqueue before being requested', labelNames: ['name', 'controller'], registers });
  const workDuration = new Histogram({ name: 'workqueue_work_duration_seconds', help: 'How long in seconds processing an item from workqueue takes', labelNames: ['name', 'controller'], registers });
  const deploys = new Counter({ name: 'cert_deployer_deploys_total', help: 'Connector deploy attempts by connector and result', labelNames: ['connector', 'result'], registers });
  const deployTime = new Histogram({ name: 'cert_deployer_deploy_duration_seconds', help: 'Time of one target deploy including verification', labelNames: ['connector'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120], registers });
  const expiry = new Gauge({ name: 'cert_deployer_certificate_expiry_timestamp_seconds', help: 'notAfter of the certificate in the Secret of each CertificateDeployment', labelNames: ['namespace', 'name'], registers });
  const rolloutWave = new Gauge({ name: 'cert_deployer_rollout_wave', help: 'The current wave (1-based) of the progressive rollout of each CertificateDeployment with spec.rollout', labelNames: ['namespace', 'name'], registers });
  const rolloutWaves = new Gauge({ name: 'cert_deployer_rollout_waves', help: 'How many waves the progressive rollout of each CertificateDeployment has', labelNames: ['namespace', 'name'], registers });
  const rolloutHalted = new Gauge({ name: 'cert_deployer_rollout_halted', help: '1 while the progressive rollout of a CertificateDeployment is halted by a failed target (RolloutHalted), else 0', labelNames: ['namespace', 'name'], registers });
  const rolloutGauges = [rolloutWave, rolloutWaves, rolloutHalted];
  const targetLabels = ['namespace', 'name', 'target', 'connector'] as const;
  const targetReady = new Gauge({ name: 'cert_deployer_target_ready', help: '1 when the target\'s Ready condition is True, else 0', labelNames: targetLabels, registers });
  const targetSuccess = new Gauge({ name: 'cert_deployer_target_last_deploy_success_timestamp_seconds', help: 'When the target last deployed successfully', labelNames: targetLabels, registers });
  const targetServed = new Gauge({ name: 'cert_deployer_target_served_certificate_expiry_timestamp_seconds', help: 'notAfter of the certificate the target served at its last verification (not the Secret\'s)', labelNames: targetLabels, registers });
  const targetDrifted = new Gauge({ name: 'cert_deployer_target_drifted', help: '1 while the last re-verification of the target found another certificate (Diverged, InstalledNotBound, Absent), 0 when it found the deployed one or no verdict', labelNames: targetLabels, registers });
  const driftChecks = new Counter({ name: 'cert_deployer_drift_checks_total', help: 'Re-verifications of Ready targets by connector and verdict', labelNames: ['connector', 'verdict'], registers });
  const driftRepairs = new Counter({ name: 'cert_deployer_drift_repairs_total', help: 'Redeploys made because of drift (driftPolicy: Repair) by connector and result', labelNames: ['connector', 'result'], registers });
  let watchSource: () => readonly WatchSample[] = () => [];
  new Gauge({
    name: 'cert_deployer_watch_last_activity_timestamp_seconds', help: 'When each watch last heard from the API server (event, bookmark or reconnect)', labelNames: ['informer'], registers,
    collect() {
      this.reset();
      for (const w of watchSource()) this.set({ informer: w.name }, w.lastActivityMs / 1000);
    },
  });
  new Gauge({
    name: 'cert_deployer_watch_stale', help: '1 while a watch has heard nothing for longer than its stale threshold', labelNames: ['informer'], registers,
    collect() {
      this.reset();
      for (const w of watchSource()) this.set({ informer: w.name }, w.stale ? 1 : 0);
    },
  });
  const q = { name: CONTROLLER_NAME, controller: CONTROLLER_NAME };
  const lease = { name: opts.leaseName ?? 'cert-deployer-controller' };
  // Present from the start (0), as controller-runtime does, so rate() and "no leader" see them.
  reconcileErrors.inc(c, 0);
  workers.set(c, 0);
  if (opts.maxConcurrentReconciles !== undefined) maxWorkers.set(c, opts.maxConcurrentReconciles);
  leaderStatus.set(lease, 0);

  /** deployment key → target name → connector: the label sets to remove on forget. */
  const targets = new Map<string, Map<string, string>>();
  const dkey = (namespace: string, name: string) => `${namespace}/${name}`;
  const removeTarget = (namespace: string, name: string, target: string, connector: string) => {
    const labels = { namespace, name, target, connector };
    for (const g of [targetReady, targetSuccess, targetServed, targetDrifted]) g.remove(labels);
  };

  return {
    registry,
    queue: {
      added: () => adds.inc(q),
      depth: (n) => depth.set(q, n),
      retried: () => retries.inc(q),
      started: (_k, waitedMs) => queueDuration.observe(q, waitedMs / 1000),
      finished: (_k, workedMs) => workDuration.observe(q, workedMs / 1000),
    },
    reconcile(result, seconds) {
      reconcileTotal.inc({ controller: CONTROLLER_NAME, result });
      reconcileTime.observe(c, seconds);
    },
    reconcileError: () => reconcileErrors.inc(c),
    activeWorkers: (n) => workers.set(c, n),
    leader(isLeader) {
      leaderStatus.set(lease, isLeader ? 1 : 0);
      if (isLeader) return;
      for (const g of [expiry, targetReady, targetSuccess, targetServed, targetDrifted]) g.reset();
      targets.clear();
      for (const g of rolloutGauges) g.reset();
    },
    deploy(connector, result, seconds) {
      deploys.inc({ connector, result });
      deployTime.observe({ connector }, seconds);
    },
    setExpiry: (namespace, name, epochSeconds) => expiry.set({ namespace, name }, epochSeconds),
    rollout(namespace, name, sample) {
      const labels = { namespace, name };
      if (!sample) {
        for (const g of rolloutGauges) g.remove(labels);
        return;
      }
      rolloutWave.set(labels, sample.wave);
      rolloutWaves.set(labels, sample.waves);
      rolloutHalted.set(labels, sample.halted ? 1 : 0);
    },
    target(namespace, name, target, connector, sample) {
      const known = targets.get(dkey(namespace, name)) ?? new Map<string, string>();
      targets.set(dkey(namespace, name), known);
      const previous = known.get(target);
      if (previous !== undefined && previous !== connector) removeTarget(namespace, name, target, previous);
      known.set(target, connector);
      const labels = { namespace, name, target, connector };
      targetReady.set(labels, sample.ready ? 1 : 0);
      if (sample.lastSuccessSeconds !== undefined) targetSuccess.set(labels, sample.lastSuccessSeconds);
      if (sample.servedNotAfterSeconds !== undefined) targetServed.set(labels, sample.servedNotAfterSeconds);
      if (sample.drifted !== undefined) targetDrifted.set(labels, sample.drifted ? 1 : 0);
    },
    driftCheck: (connector, verdict) => driftChecks.inc({ connector, verdict }),
    driftRepair: (connector, result) => driftRepairs.inc({ connector, result }),
    forgetTarget(namespace, name, target) {
      const known = targets.get(dkey(namespace, name));
      const connector = known?.get(target);
      if (connector === undefined) return;
      removeTarget(namespace, name, target, connector);
      known!.delete(target);
    },
    forget(namespace, name) {
      expiry.remove({ namespace, name });
      for (const g of rolloutGauges) g.remove({ namespace, name });
      for (const [target, connector] of targets.get(dkey(namespace, name)) ?? []) removeTarget(namespace, name, target, connector);
      targets.delete(dkey(namespace, name));
    },
    watches(source) {
      watchSource = source;
    },
  };
}

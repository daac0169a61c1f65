/**
 * Prometheus metrics with controller-runtime's names, so existing dashboards and alerts
 * work, plus cert-deployer's own. Labels never carry key material or fingerprints.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { WorkQueueMetrics } from './runtime/work-queue.ts';
import type { ReconcilerMetrics } from './reconciler-deps.ts';

export const CONTROLLER_NAME = 'certificatedeployment';

export interface ControllerMetrics extends ReconcilerMetrics {
  readonly registry: Registry;
  readonly queue: WorkQueueMetrics;
  reconcile(result: 'success' | 'error' | 'requeue' | 'requeue_after', seconds: number): void;
}

/** Creates a fresh registry (one per process; tests create their own). */
export function createMetrics(opts: { defaultMetrics?: boolean } = {}): ControllerMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const reconcileTotal = new Counter({ name: 'controller_runtime_reconcile_total', help: 'Total number of reconciliations per controller', labelNames: ['controller', 'result'], registers: [registry] });
  const reconcileTime = new Histogram({
    name: 'controller_runtime_reconcile_time_seconds', help: 'Length of time per reconciliation per controller', labelNames: ['controller'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120], registers: [registry],
  });
  const depth = new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name', 'controller'], registers: [registry] });
  const adds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name', 'controller'], registers: [registry] });
  const retries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name', 'controller'], registers: [registry] });
  const queueDuration = new Histogram({ name: 'workqueue_queue_duration_seconds', help: 'How long in seconds an item stays in workqueue before being requested', labelNames: ['name', 'controller'], registers: [registry] });
  const workDuration = new Histogram({ name: 'workqueue_work_duration_seconds', help: 'How long in seconds processing an item from workqueue takes', labelNames: ['name', 'controller'], registers: [registry] });
  const deploys = new Counter({ name: 'cert_deployer_deploys_total', help: 'Connector deploy attempts by connector and result', labelNames: ['connector', 'result'], registers: [registry] });
  const deployTime = new Histogram({ name: 'cert_deployer_deploy_duration_seconds', help: 'Time of one target deploy including verification', labelNames: ['connector'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120], registers: [registry] });
  const expiry = new Gauge({ name: 'cert_deployer_certificate_expiry_timestamp_seconds', help: 'notAfter of the certificate in the Secret of each CertificateDeployment', labelNames: ['namespace', 'name'], registers: [registry] });
  const q = { name: CONTROLLER_NAME, controller: CONTROLLER_NAME };

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
      reconcileTime.observe({ controller: CONTROLLER_NAME }, seconds);
    },
    deploy(connector, result, seconds) {
      deploys.inc({ connector, result });
      deployTime.observe({ connector }, seconds);
    },
    setExpiry: (namespace, name, epochSeconds) => expiry.set({ namespace, name }, epochSeconds),
    forget: (namespace, name) => void expiry.remove({ namespace, name }),
  };
}

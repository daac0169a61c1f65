/**
 * Runs the real Controller in-process against the shared apiserver, with counters for what
 * the restart and replay tests must prove: connector invocations and status writes. Also
 * helpers to write TLS Secrets and CertificateDeployments and to wait for a condition.
 */
import { KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import { configSchema, type Config } from '../../src/controller/config.ts';
import { Controller } from '../../src/controller/controller.ts';
import type { ReconcileOutcome } from '../../src/controller/reconcile/reconcile.ts';
import type { EventSink } from '../../src/controller/kube-port.ts';
import { createMetrics } from '../../src/controller/metrics.ts';
import { kubeClients } from '../../hack/local-cluster/kube-objects.ts';
import type { PluginCatalog } from '../../src/sandbox/wasm/index.ts';
import type { ConnectorRuntime } from '../../src/controller/pipeline/connector-runtime.ts';
import { allowAll } from './policy-fixtures.ts';

export interface RunningController {
  readonly controller: Controller;
  readonly counts: { reconciles: number; invocations: number; statusWrites: number };
  readonly events: { type: string; reason: string; note: string; name: string }[];
  stop(): Promise<void>;
}

/**
 * Starts a controller; `config` overrides the defaults (leader election off, 4 workers). Like a
 * platform admin, the harness first writes an explicit `unrestricted` DeploymentPolicy for each
 * of `config.namespaces` (the tests of other concerns predate deny-by-default; the --policy flag
 * still narrows as before). Pass `allowAll: false` to start under whatever policies exist.
 */
export function startController(kubeconfigPath: string, config: Partial<Config> = {}, opts: { allowAll?: boolean; plugins?: PluginCatalog; connectorRuntime?: ConnectorRuntime } = {}): RunningController {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const counts = { reconciles: 0, invocations: 0, statusWrites: 0 };
  const events: RunningController['events'] = [];
  const sink: EventSink = { event: (obj, type, reason, _action, note) => events.push({ type, reason, note, name: obj.metadata.name }) };
  const cfg = configSchema.parse({ identity: `test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`, leaderElect: false, ...config });
  const controller = new Controller({
    kc, config: cfg, logger: pino({ level: process.env.CD_TEST_LOG ?? 'silent' }), metrics: createMetrics({ defaultMetrics: false }), events: sink,
    ...(opts.plugins === undefined ? {} : { plugins: opts.plugins }),
    ...(opts.connectorRuntime === undefined ? {} : { connectorRuntime: opts.connectorRuntime }),
    onReconciled: (_key: string, o: ReconcileOutcome) => {
      counts.reconciles++;
      counts.invocations += o.invocations;
      if (o.statusWritten) counts.statusWrites++;
    },
  });
  const { objects } = kubeClients(kubeconfigPath);
  const granted = opts.allowAll === false ? Promise.resolve() : Promise.all(cfg.namespaces.map((ns) => allowAll(objects, ns))).then(() => undefined);
  const started = granted.then(() => controller.start());
  return { controller, counts, events, stop: async () => { await started.catch(() => undefined); await controller.stop(); } };
}

// The object helpers live with the local cluster tooling (the demo uses them too).
export { createDeployment, eventually, getDeployment, kubeClients, putTlsSecret, readyOf, waitDeploymentGone } from '../../hack/local-cluster/kube-objects.ts';

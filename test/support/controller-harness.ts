/**
 * Runs the real Controller in-process against the shared apiserver, with counters for what
 * the restart and replay tests must prove: connector invocations and status writes. Also
 * helpers to write TLS Secrets and CertificateDeployments and to wait for a condition.
 */
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import { configSchema, type Config } from '../../src/controller/config.ts';
import { Controller } from '../../src/controller/controller.ts';
import type { ReconcileOutcome } from '../../src/controller/reconcile/reconcile.ts';
import type { EventSink } from '../../src/controller/kube-port.ts';
import { createMetrics } from '../../src/controller/metrics.ts';
import { GROUP, PLURAL, VERSION } from '../../src/crds/names.ts';
import type { DeploymentStatus } from '../../src/crds/status.ts';

export interface RunningController {
  readonly controller: Controller;
  readonly counts: { reconciles: number; invocations: number; statusWrites: number };
  readonly events: { type: string; reason: string; note: string; name: string }[];
  stop(): Promise<void>;
}

/** Starts a controller; `config` overrides the defaults (leader election off, 4 workers). */
export function startController(kubeconfigPath: string, config: Partial<Config> = {}): RunningController {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const counts = { reconciles: 0, invocations: 0, statusWrites: 0 };
  const events: RunningController['events'] = [];
  const sink: EventSink = { event: (obj, type, reason, _action, note) => events.push({ type, reason, note, name: obj.metadata.name }) };
  const cfg = configSchema.parse({ identity: `test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`, leaderElect: false, ...config });
  const controller = new Controller({
    kc, config: cfg, logger: pino({ level: process.env.CD_TEST_LOG ?? 'silent' }), metrics: createMetrics({ defaultMetrics: false }), events: sink,
    onReconciled: (_key: string, o: ReconcileOutcome) => {
      counts.reconciles++;
      counts.invocations += o.invocations;
      if (o.statusWritten) counts.statusWrites++;
    },
  });
  controller.start();
  return { controller, counts, events, stop: () => controller.stop() };
}

export function kubeClients(kubeconfigPath: string) {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return { kc, core: kc.makeApiClient(CoreV1Api), objects: kc.makeApiClient(CustomObjectsApi) };
}

/** Creates or replaces a kubernetes.io/tls Secret. */
export async function putTlsSecret(core: CoreV1Api, namespace: string, name: string, crt: string, key: string, ca?: string): Promise<void> {
  const data: Record<string, string> = { 'tls.crt': Buffer.from(crt).toString('base64'), 'tls.key': Buffer.from(key).toString('base64') };
  if (ca) data['ca.crt'] = Buffer.from(ca).toString('base64');
  const body = { metadata: { name, namespace }, type: 'kubernetes.io/tls', data };
  try {
    await core.replaceNamespacedSecret({ name, namespace, body });
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
    await core.createNamespacedSecret({ namespace, body });
  }
}

type CdObject = { metadata: { generation: number; finalizers?: string[]; resourceVersion: string }; spec: Record<string, unknown>; status?: DeploymentStatus };

export async function getDeployment(objects: CustomObjectsApi, namespace: string, name: string): Promise<CdObject> {
  return (await objects.getNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace, name })) as CdObject;
}

export async function createDeployment(objects: CustomObjectsApi, namespace: string, name: string, spec: Record<string, unknown>): Promise<void> {
  await objects.createNamespacedCustomObject({
    group: GROUP, version: VERSION, plural: PLURAL, namespace,
    body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'CertificateDeployment', metadata: { name }, spec },
  });
}

/** Polls until `check` returns a value (not undefined) or `timeoutMs` passes. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The Ready condition of a deployment, once its observedGeneration caught up. */
export async function readyOf(objects: CustomObjectsApi, namespace: string, name: string) {
  const d = await getDeployment(objects, namespace, name);
  const c = d.status?.conditions?.find((x) => x.type === 'Ready');
  return c && d.status?.observedGeneration === d.metadata.generation
    ? { ready: c.status, reason: c.reason, message: c.message, status: d.status, object: d }
    : undefined;
}

/** Waits until the CertificateDeployment is gone (finalizers done), e.g. after a delete. */
export async function waitDeploymentGone(objects: CustomObjectsApi, namespace: string, name: string, timeoutMs = 60_000): Promise<void> {
  await eventually(async () => {
    try {
      await getDeployment(objects, namespace, name);
      return undefined;
    } catch (err) {
      return (err as { code?: number }).code === 404 ? true : undefined;
    }
  }, timeoutMs, `${namespace}/${name} to be gone`);
}

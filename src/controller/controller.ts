/**
 * The CertificateDeployment controller: informers (deployments, and TLS Secrets cached as
 * metadata only), the Secret → deployment index, and a work queue drained by workers while
 * this replica holds the leader Lease. Keys, not objects, go on the queue (cert-manager's
 * model): a reconcile always reads the latest cached object.
 */
import { createLimiter } from '../core/limiter.ts';
import type { Logger } from 'pino';
import { connectorsByName } from '../connectors/registry.ts';
import { PLUGIN_BLOCK } from '../crds/plugin-block.ts';
import { DEFAULT_PLUGIN_LIMITS, EMPTY_CATALOG, PluginPool, type PluginCatalog, type PluginLimits } from '../sandbox/wasm/index.ts';
import { pluginDefinition } from './plugins/plugin-definition.ts';
import { GROUP, PLURAL, REDEPLOY_AT_ANNOTATION, VERSION } from '../crds/names.ts';
import { specSchema } from '../crds/spec.ts';
import type { Config } from './config.ts';
import { reconcileDeployment, type ReconcileOutcome } from './reconcile/reconcile.ts';
import { createHostPool, type HostPool } from './host-pool.ts';
import type { HealthChecks } from './http-server.ts';
import { createKubeClient } from './kube-client.ts';
import type { EventSink } from './kube-port.ts';
import type { CertificateDeploymentObject } from './kube-types.ts';
import type { ControllerMetrics } from './metrics.ts';
import type { ConnectorRegistry } from './pipeline/prepare-target.ts';
import type { ReconcilerDeps } from './reconciler-deps.ts';
import type { ConnectorRuntime } from './pipeline/connector-runtime.ts';
import { realClock, type Clock } from '../core/clock.ts';
import { InformerSupervisor } from './runtime/informer-supervisor.ts';
import type { KubeConnection } from './runtime/kube-access.ts';
import { collectionPath, kubeTransport } from './runtime/kube-transport.ts';
import { LeaderElector } from './runtime/leader-election.ts';
import { coordinationLeaseClient } from './runtime/lease-client.ts';
import { objectKey } from './runtime/object-key.ts';
import { runWorkers } from './runtime/run-workers.ts';
import { WorkQueue } from './runtime/work-queue.ts';
import { SecretIndex } from './secret-index.ts';
import { credentialSecretsOfTarget } from './credential-refs.ts';
import { PolicyWatch } from './policy/policy-watch.ts';
import type { DeploySpanSink } from './deploy-spans.ts';
import { splitKey } from './runtime/object-key.ts';

export interface ControllerOptions {
  readonly kc: KubeConnection;
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: ControllerMetrics;
  readonly events: EventSink;
  readonly clock?: Clock;
  /** The connectors to run; the product registry unless a test registers its own. */
  readonly registry?: ConnectorRegistry;
  /** Where connector code runs; in-process when omitted (main.ts passes the `--connector-runtime` choice, worker by default). */
  readonly connectorRuntime?: ConnectorRuntime;
  /** Installed WASM plugins (loaded from --plugin-dir); the `plugin` block is always registered. */
  readonly plugins?: PluginCatalog;
  /** Limits of each plugin call; the runtime's defaults unless a test sets its own. */
  readonly pluginLimits?: PluginLimits;
  /** Observes every finished reconcile (tests count connector calls and status writes). */
  readonly onReconciled?: (key: string, outcome: ReconcileOutcome) => void;
  /** Opt-in deploy spans (main.ts writes them to `--deploy-span-file`). */
  readonly spans?: DeploySpanSink;
}

interface SecretMeta {
  metadata: { name: string; namespace: string; resourceVersion?: string; uid?: string };
}

/** Keeps only what the index needs: no Secret data is ever held in memory. */
const metadataOnly = (s: SecretMeta): SecretMeta => ({ metadata: { name: s.metadata.name, namespace: s.metadata.namespace, resourceVersion: s.metadata.resourceVersion, uid: s.metadata.uid } });

export class Controller {
  readonly #o: ControllerOptions;
  readonly #deployments: InformerSupervisor<CertificateDeploymentObject & { metadata: { name: string } }>[] = [];
  readonly #secrets: InformerSupervisor<SecretMeta>[] = [];
  readonly #index = new SecretIndex();
  readonly #policies: PolicyWatch;
  readonly #hosts: HostPool;
  readonly #pluginPool: PluginPool | undefined;
  readonly #deps: ReconcilerDeps;
  readonly #stop = new AbortController();
  #queue: WorkQueue | undefined;
  #leading = false;
  #run: Promise<void> | undefined;

  constructor(o: ControllerOptions) {
    this.#o = o;
    const clock = o.clock ?? realClock;
    const kube = createKubeClient(o.kc, 'cert-deployer', clock);
    const plugins = o.plugins ?? EMPTY_CATALOG;
    // Instances start ahead only when plugins are installed (a spare per plugin after its first call).
    this.#pluginPool = plugins.plugins.size > 0 ? new PluginPool(o.pluginLimits ?? DEFAULT_PLUGIN_LIMITS) : undefined;
    const registry: ConnectorRegistry = new Map([...(o.registry ?? connectorsByName), [PLUGIN_BLOCK, pluginDefinition(plugins, o.pluginLimits, this.#pluginPool)]]);
    this.#hosts = createHostPool(kube);
    const transport = kubeTransport(o.kc);
    // Secrets as metadata only, from the server: their data never reaches the informer (GET at deploy time).
    const metadataTransport = kubeTransport(o.kc, { metadataOnly: true });
    const onError = (name: string) => (err: Error, phase: string) => o.logger.warn({ informer: name, phase, err: err.message }, 'informer error (retrying)');
    this.#policies = new PolicyWatch({ transport, namespaces: o.config.namespaces, onError, onAffected: (affects) => this.#policyChanged(affects) });
    this.#deps = {
      kube, registry, connectorRuntime: o.connectorRuntime, events: o.events, log: o.logger, metrics: o.metrics, policy: o.config.policy, policySource: this.#policies, hosts: this.#hosts,
      secretMeta: (namespace, name) => this.#secrets.map((i) => i.get(`${namespace}/${name}`)).find((m) => m !== undefined)?.metadata,
      clock, specSchema: specSchema(Object.fromEntries([...registry].map(([name, d]) => [name, d.configSchema]))), deployTimeoutMs: o.config.deployTimeoutSeconds * 1000, weakCredentials: o.config.weakCredentials, ...(o.spans ? { spans: o.spans } : {}),
      driftLimiter: createLimiter(o.config.driftConcurrency),
    };
    const namespaces = o.config.namespaces.length > 0 ? o.config.namespaces : [undefined];
    for (const namespace of namespaces) {
      this.#deployments.push(new InformerSupervisor({
        name: `certificatedeployments${namespace ? `/${namespace}` : ''}`, transport,
        path: collectionPath({ group: GROUP, version: VERSION, plural: PLURAL, namespace }),
        handlers: {
          onAdd: (d) => this.#deploymentChanged(d),
          onUpdate: (old, d) => this.#deploymentChanged(d, old),
          onDelete: (d) => {
            this.#index.delete(objectKey(d));
            o.metrics.forget(d.metadata.namespace, d.metadata.name); // every deletion path, also deletionPolicy: Retain
          },
        },
        onError: onError('certificatedeployments'),
      }));
      this.#secrets.push(new InformerSupervisor<SecretMeta>({
        name: `secrets${namespace ? `/${namespace}` : ''}`, transport: metadataTransport,
        path: collectionPath({ version: 'v1', plural: 'secrets', namespace }),
        fieldSelector: 'type=kubernetes.io/tls', transform: metadataOnly,
        handlers: {
          onAdd: (s) => this.#secretChanged(s),
          onUpdate: (_old, s) => this.#secretChanged(s),
          onDelete: (s) => this.#secretChanged(s),
        },
        onError: onError('secrets'),
      }));
      // Credentials Secrets (connector secretRefs, SSH keys) are rarely kubernetes.io/tls: a
      // second metadata-only watch over the others, so fixing one re-runs its targets at once.
      this.#secrets.push(new InformerSupervisor<SecretMeta>({
        name: `credential-secrets${namespace ? `/${namespace}` : ''}`, transport,
        path: collectionPath({ version: 'v1', plural: 'secrets', namespace }),
        fieldSelector: 'type!=kubernetes.io/tls', transform: metadataOnly,
        handlers: {
          onAdd: (s) => this.#secretChanged(s),
          onUpdate: (_old, s) => this.#secretChanged(s),
          onDelete: (s) => this.#secretChanged(s),
        },
        onError: onError('credential-secrets'),
      }));
    }
    o.metrics.watches(() => [...this.#deployments, ...this.#secrets].map((i) => i.health()));
  }

  /** Liveness and readiness for /healthz and /readyz. */
  readonly health: HealthChecks = {
    live: () => [...this.#deployments, ...this.#secrets].map((i) => i.health()).concat(this.#policies.health()).filter((h) => h.stale).map((h) => `informer ${h.name} is stale`),
    ready: () => [...this.#deployments, ...this.#secrets].map((i) => i.health()).concat(this.#policies.health()).filter((h) => !h.synced).map((h) => `informer ${h.name} not synced`),
  };

  get leading(): boolean {
    return this.#leading;
  }

  /** Starts informers and leader election (or leads at once when election is off). */
  start(): void {
    if (this.#run) return;
    for (const i of [...this.#deployments, ...this.#secrets]) i.start();
    this.#policies.start();
    const signal = this.#stop.signal;
    const lead = (leading: AbortSignal) => this.#lead(leading);
    if (!this.#o.config.leaderElect) {
      this.#run = lead(signal);
      return;
    }
    const elector = new LeaderElector({
      client: coordinationLeaseClient(this.#o.kc, this.#o.config.leaderElectionNamespace, this.#o.config.leaderElectionId),
      identity: this.#o.config.identity,
      callbacks: {
        onStartedLeading: lead,
        onNewLeader: (id) => this.#o.logger.info({ leader: id }, 'leader observed'),
      },
      onError: (err) => this.#o.logger.warn({ err: err.message }, 'leader election error (retrying)'),
    });
    this.#run = (async () => {
      while (!signal.aborted) await elector.run(signal); // lost leadership: campaign again
    })();
  }

  /** Graceful stop: in-flight reconciles finish or abort, the Lease is released, hosts closed. */
  async stop(): Promise<void> {
    this.#stop.abort(new Error('controller stopping'));
    await this.#run;
    await Promise.all([...this.#deployments, ...this.#secrets].map((i) => i.stop()));
    await this.#policies.stop();
    await this.#hosts.close();
    await this.#pluginPool?.close();
  }

  async #lead(signal: AbortSignal): Promise<void> {
    this.#o.logger.info({ identity: this.#o.config.identity }, 'started leading');
    const queue = new WorkQueue({ clock: this.#deps.clock, metrics: this.#o.metrics.queue });
    this.#queue = queue;
    this.#leading = true;
    this.#o.metrics.leader(true);
    try {
      await Promise.all(this.#deployments.map((i) => i.waitForSync(signal)));
      await Promise.all(this.#secrets.map((i) => i.waitForSync(signal)));
      await this.#policies.waitForSync(signal); // no reconcile judges by a half-listed policy set
      for (const i of this.#deployments) for (const key of i.keys()) queue.add(key);
      await runWorkers(queue, this.#o.config.concurrency, (key, s) => this.#reconcile(key, s), signal, {
        onError: (key, err, retrying) => {
          this.#o.metrics.reconcileError();
          this.#o.logger.warn({ key, err: err.message, retrying }, 'reconcile failed');
        },
        onActive: (busy) => this.#o.metrics.activeWorkers(busy),
      });
    } catch (err) {
      if (!signal.aborted) throw err;
    } finally {
      this.#leading = false;
      this.#o.metrics.leader(false);
      this.#queue = undefined;
      this.#o.logger.info('stopped leading');
    }
  }

  async #reconcile(key: string, signal: AbortSignal): Promise<{ requeueAfterMs?: number } | void> {
    const obj = this.#deployments.map((i) => i.get(key)).find((o) => o !== undefined);
    if (!obj) return;
    const started = this.#deps.clock.now();
    try {
      const out = await reconcileDeployment(obj, this.#deps, signal);
      this.#o.metrics.reconcile(out.requeueAfterMs !== undefined ? 'requeue_after' : 'success', (this.#deps.clock.now() - started) / 1000);
      this.#o.onReconciled?.(key, out);
      return out.requeueAfterMs !== undefined ? { requeueAfterMs: out.requeueAfterMs } : undefined;
    } catch (err) {
      this.#o.metrics.reconcile('error', (this.#deps.clock.now() - started) / 1000);
      throw err;
    }
  }

  #deploymentChanged(d: CertificateDeploymentObject, old?: CertificateDeploymentObject): void {
    const key = objectKey(d);
    const spec = d.spec as { secretRef?: { name?: string }; targets?: unknown } | undefined;
    const targets = Array.isArray(spec?.targets) ? (spec.targets as Readonly<Record<string, unknown>>[]).filter((t) => t !== null && typeof t === 'object') : [];
    const names = [...(spec?.secretRef?.name ? [spec.secretRef.name] : []), ...targets.flatMap((t) => credentialSecretsOfTarget(this.#deps.registry, t))];
    this.#index.set(key, names.map((n) => `${d.metadata.namespace}/${n}`));
    // Our own status writes come back as updates; they need no reconcile.
    const relevant = !old || old.metadata.generation !== d.metadata.generation
      || old.metadata.deletionTimestamp !== d.metadata.deletionTimestamp
      || JSON.stringify(old.metadata.finalizers) !== JSON.stringify(d.metadata.finalizers)
      || old.metadata.annotations?.[REDEPLOY_AT_ANNOTATION] !== d.metadata.annotations?.[REDEPLOY_AT_ANNOTATION];
    if (relevant) this.#queue?.add(key);
  }

  /** A policy or namespace label changed: re-evaluate the deployments of the affected namespaces. */
  #policyChanged(affects: (ns: { name: string; labels: Readonly<Record<string, string>> }) => boolean): void {
    const queue = this.#queue;
    if (!queue) return;
    for (const i of this.#deployments) {
      for (const key of i.keys()) {
        const ns = splitKey(key).namespace;
        if (ns !== undefined && affects({ name: ns, labels: this.#policies.namespaceLabels(ns) ?? {} })) queue.add(key);
      }
    }
  }

  #secretChanged(s: SecretMeta): void {
    for (const key of this.#index.deploymentsFor(`${s.metadata.namespace}/${s.metadata.name}`)) this.#queue?.add(key);
  }
}

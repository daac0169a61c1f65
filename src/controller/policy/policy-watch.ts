/**
 * Watches DeploymentPolicies (cluster-scoped) and namespace labels, and is the controller's
 * {@link PolicySource}. A policy change re-enqueues the deployments of every namespace the
 * policy selected before OR selects after the change; a namespace label change re-enqueues that
 * namespace's deployments (labels decide which selectors match).
 *
 * Namespaces are watched (metadata only: name and labels) rather than read per reconcile: the
 * watch is what makes a label change re-evaluate, and the cache costs one small object per
 * namespace. In namespaced mode each watched namespace gets its own informer with
 * `fieldSelector=metadata.name=<ns>`, so RBAC can restrict list/watch to those names.
 */
import { GROUP, POLICY_PLURAL, VERSION } from '../../crds/names.ts';
import { InformerSupervisor, type InformerHealth } from '../runtime/informer-supervisor.ts';
import { collectionPath, type KubeTransport } from '../runtime/kube-transport.ts';
import type { PolicySource } from './policy-access.ts';
import { parsePolicies, type DeploymentPolicyObject, type NamespaceFacts } from './policy-object.ts';
import { policySelects } from './select-namespace.ts';

interface RawPolicy { metadata: { name: string; resourceVersion?: string }; spec?: unknown }
interface NamespaceMeta { metadata: { name: string; resourceVersion?: string; labels?: Record<string, string> } }

const namespaceMeta = (n: NamespaceMeta): NamespaceMeta => ({ metadata: { name: n.metadata.name, resourceVersion: n.metadata.resourceVersion, labels: { ...(n.metadata.labels ?? {}) } } });

export interface PolicyWatchOptions {
  readonly transport: KubeTransport;
  /** Watched namespaces; empty for cluster-wide mode. */
  readonly namespaces: readonly string[];
  /** Called with a predicate over namespaces whose deployments must be re-evaluated. */
  readonly onAffected: (affects: (ns: NamespaceFacts) => boolean) => void;
  readonly onError: (name: string) => (err: Error, phase: string) => void;
}

export class PolicyWatch implements PolicySource {
  readonly #policies: InformerSupervisor<RawPolicy>;
  readonly #namespaces: InformerSupervisor<NamespaceMeta>[] = [];
  #parsed: { version: string; policies: DeploymentPolicyObject[] } | undefined;

  constructor(o: PolicyWatchOptions) {
    const policyChanged = (...objs: RawPolicy[]) => {
      const parsed = parsePolicies(objs);
      // A policy that does not parse grants nothing, but it may have granted before: re-check all.
      if (parsed.length < objs.length) return o.onAffected(() => true);
      o.onAffected((ns) => parsed.some((p) => policySelects(p, ns)));
    };
    this.#policies = new InformerSupervisor<RawPolicy>({
      name: 'deploymentpolicies', transport: o.transport,
      path: collectionPath({ group: GROUP, version: VERSION, plural: POLICY_PLURAL }),
      handlers: { onAdd: (p) => policyChanged(p), onUpdate: (old, p) => policyChanged(old, p), onDelete: (p) => policyChanged(p) },
      onError: o.onError('deploymentpolicies'),
    });
    const scopes = o.namespaces.length > 0 ? o.namespaces : [undefined];
    for (const ns of scopes) {
      this.#namespaces.push(new InformerSupervisor<NamespaceMeta>({
        name: `namespaces${ns ? `/${ns}` : ''}`, transport: o.transport,
        path: collectionPath({ version: 'v1', plural: 'namespaces' }),
        ...(ns ? { fieldSelector: `metadata.name=${ns}` } : {}),
        transform: namespaceMeta,
        handlers: {
          onAdd: (n) => o.onAffected((x) => x.name === n.metadata.name),
          onUpdate: (old, n) => {
            if (JSON.stringify(old.metadata.labels) !== JSON.stringify(n.metadata.labels)) o.onAffected((x) => x.name === n.metadata.name);
          },
        },
        onError: o.onError('namespaces'),
      }));
    }
  }

  /** Every valid DeploymentPolicy, parsed once per change of the cache. */
  policies(): readonly DeploymentPolicyObject[] {
    const raw = this.#policies.list();
    const version = raw.map((p) => `${p.metadata.name}@${p.metadata.resourceVersion ?? ''}`).sort().join(',');
    if (this.#parsed?.version !== version) this.#parsed = { version, policies: parsePolicies(raw) };
    return this.#parsed.policies;
  }

  namespaceLabels(name: string): Readonly<Record<string, string>> | undefined {
    for (const i of this.#namespaces) {
      const n = i.get(name);
      if (n) return n.metadata.labels ?? {};
    }
    return undefined;
  }

  #all(): InformerSupervisor<RawPolicy | NamespaceMeta>[] {
    return [this.#policies, ...this.#namespaces] as InformerSupervisor<RawPolicy | NamespaceMeta>[];
  }

  start(): void {
    for (const i of this.#all()) i.start();
  }

  async waitForSync(signal: AbortSignal): Promise<void> {
    await Promise.all(this.#all().map((i) => i.waitForSync(signal)));
  }

  async stop(): Promise<void> {
    await Promise.all(this.#all().map((i) => i.stop()));
  }

  health(): InformerHealth[] {
    return this.#all().map((i) => i.health());
  }
}

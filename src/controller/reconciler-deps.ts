/**
 * Everything a reconcile needs from outside, injected: the API port, Events, metrics, the
 * operator policy, hosts and the clock. Tests build the same object with real clients.
 */
import type { z } from 'zod';
import type { Policy } from '@cert-deployer/connector-sdk/sandbox';
import type { BackoffPolicy } from './decide-target.ts';
import type { HostPool } from './host-pool.ts';
import type { EventSink, KubePort } from './kube-port.ts';
import type { ConnectorRuntime } from './pipeline/connector-runtime.ts';
import type { ConnectorRegistry } from './pipeline/prepare-target.ts';
import type { PolicySource } from './policy/policy-access.ts';
import type { Clock } from '../core/clock.ts';
import type { WeakCredentialPolicy } from '@cert-deployer/connector-sdk';
import type { DeploySpanSink } from './deploy-spans.ts';
import type { Limiter } from '../core/limiter.ts';

/** A deployment's rollout as the metrics show it. */
export interface RolloutSample {
  /** The current wave, 1-based. */
  readonly wave: number;
  readonly waves: number;
  readonly halted: boolean;
}

/** Metric hooks of the reconciler (implemented with prom-client in metrics.ts). */
export interface ReconcilerMetrics {
  deploy(connector: string, result: string, seconds: number): void;
  setExpiry(namespace: string, name: string, epochSeconds: number): void;
  /** Where a deployment's progressive rollout stands (spec.rollout); `undefined` removes its series. */
  rollout?(namespace: string, name: string, sample: RolloutSample | undefined): void;
  forget(namespace: string, name: string): void;
  /** Per-target readiness, last success and served expiry (optional: test fakes may omit it). */
  target?(namespace: string, name: string, target: string, connector: string, sample: { ready: boolean; lastSuccessSeconds?: number; servedNotAfterSeconds?: number; drifted?: boolean }): void;
  /** One drift check and its verdict (Serving, Diverged, InstalledNotBound, Absent, Unknown). */
  driftCheck?(connector: string, verdict: string): void;
  /** One redeploy made because of drift, and how it went (`success` or the failure reason). */
  driftRepair?(connector: string, result: string): void;
}

/** The log lines a reconcile writes (pino's Logger satisfies it). Never given key material. */
export interface ReconcileLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ReconcilerDeps {
  readonly kube: KubePort;
  /** The connectors this controller runs, by block name (injected: tests register their own). */
  readonly registry: ConnectorRegistry;
  /** Where connector code runs: a confined worker (the default of the process) or in-process (when omitted). */
  readonly connectorRuntime?: ConnectorRuntime | undefined;
  readonly events: EventSink;
  /** Structured logs of attempts, outcomes and decisions; silent when omitted. */
  readonly log?: ReconcileLog;
  readonly metrics: ReconcilerMetrics;
  /** The `--policy` flag: an upper bound over every DeploymentPolicy. */
  readonly policy: Policy;
  /** The DeploymentPolicies and namespace labels (deny by default: no policy, no grant). */
  readonly policySource: PolicySource;
  readonly hosts: HostPool;
  readonly clock: Clock;
  readonly specSchema: z.ZodType;
  readonly deployTimeoutMs: number;
  readonly backoff?: BackoffPolicy;
  /** Cached Secret metadata by namespace and name (the Secret informer), to skip unchanged reads. */
  readonly secretMeta?: (namespace: string, name: string) => { readonly resourceVersion?: string | undefined } | undefined;
  /** `--weak-credentials`: Warn (default: deploy, WeakCredential condition and Event) or Refuse. */
  readonly weakCredentials?: WeakCredentialPolicy;
  /** Opt-in start/end record of each target deploy (`--deploy-span-file`), for fault audits. */
  readonly spans?: DeploySpanSink;
  /** Bounds drift checks in flight across all deployments (`--drift-concurrency`); unbounded when omitted. */
  readonly driftLimiter?: Limiter;
}

/**
 * The connector contract (shared/reference): a connector declares the least privileges it
 * needs and cannot exceed them; deploy is idempotent on the fingerprint because delivery is
 * at-least-once. Connectors know nothing of Kubernetes: they get validated config, a
 * Sandbox and a Deployment.
 */
import type { z } from 'zod';
import type { Grant } from './sandbox/grant.ts';
import type { Sandbox } from './sandbox/sandbox.ts';
import type { Clock } from './core/clock.ts';
import type { Deployment, SecretValue } from './deployment.ts';
import type { HostConfig } from './host-config.ts';
import type { InspectContext, InspectResult } from './inspect.ts';
import type { PlanResult } from './plan.ts';

/** What a deploy did. `changed: false` means the target already held the fingerprint. */
export interface DeployResult {
  readonly changed: boolean;
  /** A stable id of the remote object (ARN, Key Vault id, F5 object name), kept in status. */
  readonly remoteId?: string;
  /** Short human summary for status and Events; never key material. */
  readonly message?: string;
}

/** Context the controller passes that is not part of the credential. */
export interface DeployContext {
  /** Ownership id (deployment UID + target name) for tagging remote objects. */
  readonly ownerId: string;
  /** The remote id recorded in status by an earlier deploy, if any. */
  readonly remoteId?: string;
  /**
   * The Secrets this target's configuration references (see `ConnectorDefinition.secretRefs`),
   * by name, each key's value wrapped so it cannot be logged. Missing Secrets are absent.
   */
  readonly secrets?: ReadonlyMap<string, Readonly<Record<string, SecretValue>>>;
  /** Whether the operator policy lets connectors use the pod's ambient cloud identity. */
  readonly allowAmbientIdentity?: boolean;
  /**
   * The controller's one clock. Connectors take time only from here (through `clockOf(ctx)`),
   * never from `Date.now`/`setTimeout`/`AbortSignal.timeout`, so their deadlines and polls move
   * with a fake clock in tests like the rest of the controller.
   */
  readonly clock?: Clock;
}

export interface Connector {
  readonly name: string;
  /** The least grant this connector needs for its configuration. */
  capabilities(): Grant;
  deploy(signal: AbortSignal, sandbox: Sandbox, deployment: Deployment, ctx: DeployContext): Promise<DeployResult>;
  /** Removes what deploy created (deletionPolicy: Delete). Optional: file targets may retain. */
  undeploy?(signal: AbortSignal, sandbox: Sandbox, ctx: DeployContext): Promise<void>;
  /**
   * Reports which certificate the target holds, changing nothing (drift detection). Optional:
   * omitted where the target cannot say. Runs in a read-only sandbox (every write, exec, socket
   * send and mutating request is denied), so it must only read.
   */
  inspect?(signal: AbortSignal, sandbox: Sandbox, ctx: InspectContext): Promise<InspectResult>;

  /**
   * Plan mode: reads the target and returns what `deploy` would do for `deployment` (see
   * plan.ts), changing nothing. Runs in a plan sandbox that denies every mutating operation,
   * so it must only read. Optional for third-party connectors; every in-tree one has it.
   */
  plan?(signal: AbortSignal, sandbox: Sandbox, deployment: Deployment, ctx: DeployContext): Promise<PlanResult>;
}

/**
 * A registry entry: the CRD block name, the zod schema of that block (the CRD generator
 * reads it), and a factory. Adding a connector adds one of these to the registry.
 */
export interface ConnectorDefinition<C = unknown> {
  /** The CRD block key, e.g. `nginx`, `awsAcm`. */
  readonly name: string;
  readonly configSchema: z.ZodType<C>;
  create(config: C): Connector;
  /**
   * For connectors whose files and commands live on a host (file, nginx, apache, haproxy):
   * which host this configuration names. The controller builds the sandbox on that host.
   * Omitted by network-only connectors (cloud APIs), which get no file or exec access.
   */
  hostOf?(config: C): HostConfig;
  /**
   * Names of Secrets (in the deployment's namespace) this configuration references for
   * credentials. The controller reads them and passes them in `DeployContext.secrets`, so
   * connectors never talk to Kubernetes.
   */
  secretRefs?(config: C): readonly string[];
}

/** Helper that keeps the generic link between schema and factory when declaring a definition. */
export function defineConnector<C>(def: ConnectorDefinition<C>): ConnectorDefinition<C> {
  return def;
}

/**
 * Where a connector's code runs. The pipeline prepares the target (every policy check), builds
 * the checked sandbox and the context, and then hands the call to a `ConnectorRuntime`:
 *
 * - `worker` (the default, `src/connector-worker`): the connector runs in a Node
 *   permission-model worker process with no file, network, process or thread access of its
 *   own; its Sandbox calls come back to this process and are checked and performed here.
 * - `in-process` (`--connector-runtime=in-process`): the connector runs in the operator
 *   process, as before confinement existed; the grant is enforced by the same sandbox, but
 *   nothing stops the connector's code from going around it.
 *
 * Either way the grant check is the same code on the same side: see docs/confinement.md.
 */
import type { Connector, DeployContext, DeployResult, Deployment, InspectResult, Sandbox, PlanResult } from '@cert-deployer/connector-sdk';

export const CONNECTOR_RUNTIMES = ['worker', 'in-process'] as const;
export type ConnectorRuntimeKind = (typeof CONNECTOR_RUNTIMES)[number];

/** One connector call, prepared and checked: what a runtime needs to run it. */
export interface RuntimeCall {
  /** Workers are bound to this key; the pipeline uses the namespace (the tenant boundary). */
  readonly affinity: string;
  /** The registered block name and its validated config (a worker re-creates the connector from them). */
  readonly connectorName: string;
  readonly config: unknown;
  /** The connector created in this process by prepare (in-process runs it; workers ignore it). */
  readonly connector: Connector;
  /** The checked sandbox of the call: the effective grant is enforced here, in this process. */
  readonly sandbox: Sandbox;
  readonly context: DeployContext;
  readonly signal: AbortSignal;
}

export interface ConnectorRuntime {
  readonly kind: ConnectorRuntimeKind;
  deploy(call: RuntimeCall, deployment: Deployment): Promise<DeployResult>;
  undeploy(call: RuntimeCall): Promise<void>;
  /** Drift: the connector's `inspect` (the pipeline only calls it for connectors that have one). */
  inspect(call: RuntimeCall, fingerprint: string): Promise<InspectResult>;
  /** Plan mode: the connector's `plan` (the pipeline calls it only for connectors that have one). */
  plan(call: RuntimeCall, deployment: Deployment): Promise<PlanResult>;
}

/** The connector runs in this process. */
export const inProcessRuntime: ConnectorRuntime = {
  kind: 'in-process',
  deploy: (c, deployment) => c.connector.deploy(c.signal, c.sandbox, deployment, c.context),
  undeploy: async (c) => {
    await c.connector.undeploy?.(c.signal, c.sandbox, c.context);
  },
  inspect: async (c, fingerprint) => {
    if (c.connector.inspect === undefined) throw new Error(`${c.connectorName} has no inspect`);
    return c.connector.inspect(c.signal, c.sandbox, { ...c.context, fingerprint });
    },
  plan: (c, deployment) => {
    if (c.connector.plan === undefined) return Promise.reject(new Error(`${c.connectorName} has no plan step`));
    return c.connector.plan(c.signal, c.sandbox, deployment, c.context);
  },
};

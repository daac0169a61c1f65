/**
 * The first step of the one target pipeline (deploy, undeploy and verify all start here): find
 * the target's connector in the injected registry, validate its block, create the connector, and
 * make EVERY policy check before any I/O — the DeploymentPolicies selecting the namespace (host,
 * pinned SSH host key, credentials Secrets), the connector's declared grant, the SSH address the
 * controller dials for it, and the verification endpoints, all bounded by the `--policy` flag.
 * There is no other place where a target's grant is compared with policy, so no path can skip a
 * check.
 */
import type { Connector, ConnectorDefinition } from '@cert-deployer/connector-sdk';
import type { HostConfig } from '@cert-deployer/connector-sdk';
import type { Grant, Policy } from '@cert-deployer/connector-sdk/sandbox';
import type { PluginBlock } from '../../crds/plugin-block.ts';
import { isPluginDefinition } from '../plugins/plugin-definition.ts';
import type { PluginIdentity } from '../plugins/plugin-pins.ts';
import type { PolicyAccess } from '../policy/policy-access.ts';
import { credentialRefsOf } from '../credential-refs.ts';
import { resolveTargetPolicy } from '../policy/resolve-policy.ts';
import { selectingPolicies } from '../policy/select-namespace.ts';
import { Reason } from '../reasons.ts';

/** Block name → definition; type-erased once here so no caller needs a cast. */
export type ConnectorRegistry = ReadonlyMap<string, ConnectorDefinition<unknown>>;

/** A target as the spec holds it: a name, one connector block, optional verification. */
export type TargetSpec = { readonly name: string; readonly verify?: { readonly endpoints: readonly { address: string; serverName?: string | undefined }[]; readonly timeoutSeconds: number } | undefined } & Readonly<Record<string, unknown>>;

/** Everything later steps need, decided without I/O. */
export interface PreparedTarget {
  readonly name: string;
  readonly connectorName: string;
  readonly connector: Connector;
  /** The block after validation: what `create` got (a worker re-creates the connector from it). */
  readonly config: unknown;
  readonly declared: Grant;
  readonly host: HostConfig | undefined;
  readonly secretRefs: readonly string[];
  /** The SSH address this target's host names, if any (status reports trust-on-first-use for it). */
  readonly sshAddress: string | undefined;
  readonly sshPinned: boolean;
  /** The flat policy resolved for this target: what the sandbox and the probes enforce. */
  readonly policy: Policy;
  /** Names of the DeploymentPolicies that applied (status shows them per target). */
  readonly policies: readonly string[];
  /** For a plugin target: the plugin loaded for it (status shows name, version, digest). */
  readonly plugin?: PluginIdentity | undefined;
}

/** Why a target cannot run: a status reason and a message naming what is missing. */
export interface PrepareFailure {
  readonly reason: Reason;
  readonly message: string;
  /** The DeploymentPolicies that were considered, if any (status shows them). */
  readonly policies?: readonly string[];
  /** For a plugin target refused before it ran: the installed plugin, when there is one. */
  readonly plugin?: PluginIdentity | undefined;
}

export type PrepareResult = { readonly ok: true; readonly target: PreparedTarget } | { readonly ok: false; readonly failure: PrepareFailure };

/** The registered connector block a target carries, if any. */
export function connectorBlockOf(registry: ConnectorRegistry, target: Readonly<Record<string, unknown>>): { name: string; definition: ConnectorDefinition<unknown>; block: unknown } | undefined {
  for (const [name, definition] of registry) if (target[name] !== undefined) return { name, definition, block: target[name] };
  return undefined;
}

/**
 * Prepares `target` under the policies in `access`. `dialsForVerify` lists the endpoints the
 * call will probe (empty for undeploy), so the policies must allow those too.
 */
export function prepareTarget(registry: ConnectorRegistry, target: TargetSpec, access: PolicyAccess, dialsForVerify: readonly string[] = []): PrepareResult {
  const found = connectorBlockOf(registry, target);
  if (!found) return { ok: false, failure: { reason: Reason.InvalidSpec, message: 'no registered connector block' } };
  const parsed = found.definition.configSchema.safeParse(found.block);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    return { ok: false, failure: { reason: Reason.InvalidSpec, message: `invalid ${found.name} block: ${issues}` } };
  }
  // A plugin target passes its own gate first (installed, pinned by digest, config valid):
  // nothing of the plugin runs, not even its grant template, unless a policy pins it.
  let connector: Connector;
  let plugin: PluginIdentity | undefined;
  let pinnedBy: readonly string[] = [];
  if (isPluginDefinition(found.definition)) {
    const admitted = found.definition.admit(parsed.data as PluginBlock, access.namespace.name, selectingPolicies(access.policies, access.namespace));
    if (!admitted.ok) return { ok: false, failure: { reason: admitted.reason, message: admitted.message, policies: admitted.policies ?? [], plugin: admitted.plugin } };
    ({ connector, plugin, pinnedBy } = admitted);
  } else connector = found.definition.create(parsed.data);
  const declared = connector.capabilities();
  const host = found.definition.hostOf?.(parsed.data);
  const ssh = host?.ssh;
  const secretRefs = found.definition.secretRefs?.(parsed.data) ?? [];
  // The SSH connection and the verification probes dial from the operator too, and the SSH
  // credentials Secret is read by the controller: resolution covers them like the grant.
  const resolved = resolveTargetPolicy(access.policies, {
    namespace: access.namespace, host, declared, extraDials: dialsForVerify,
    secretRefs: credentialRefsOf(found.definition, parsed.data),
  }, access.bound);
  if (!resolved.ok) return { ok: false, failure: { reason: resolved.reason, message: resolved.message, policies: resolved.names } };
  return {
    ok: true,
    target: {
      name: target.name, connectorName: found.name, connector, config: parsed.data, declared, host, secretRefs,
      sshAddress: ssh?.address, sshPinned: Boolean(ssh?.hostKey), policy: resolved.policy, policies: [...new Set([...resolved.names, ...pinnedBy])].sort(), plugin,
    },
  };
}

/**
 * The first step of the one target pipeline (deploy, undeploy and verify all start here): find
 * the target's connector in the injected registry, validate its block, create the connector, and
 * make EVERY policy check before any I/O — the connector's declared grant, the SSH address the
 * controller dials for it, and the verification endpoints. There is no other place where a
 * target's grant is compared with the policy, so no path can skip a check.
 */
import type { Connector, ConnectorDefinition } from '../../connectors/sdk/connector.ts';
import type { HostConfig } from '../../connectors/sdk/host-config.ts';
import type { Grant, Policy } from '../../sandbox/grant.ts';
import { grantShortfall } from '../grant-shortfall.ts';
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
  readonly declared: Grant;
  readonly host: HostConfig | undefined;
  readonly secretRefs: readonly string[];
  /** The SSH address this target's host names, if any (status reports trust-on-first-use for it). */
  readonly sshAddress: string | undefined;
  readonly sshPinned: boolean;
}

/** Why a target cannot run: a status reason and a message naming what is missing. */
export interface PrepareFailure {
  readonly reason: Reason;
  readonly message: string;
}

export type PrepareResult = { readonly ok: true; readonly target: PreparedTarget } | { readonly ok: false; readonly failure: PrepareFailure };

/** The registered connector block a target carries, if any. */
export function connectorBlockOf(registry: ConnectorRegistry, target: Readonly<Record<string, unknown>>): { name: string; definition: ConnectorDefinition<unknown>; block: unknown } | undefined {
  for (const [name, definition] of registry) if (target[name] !== undefined) return { name, definition, block: target[name] };
  return undefined;
}

/**
 * Prepares `target` for a call under `policy`. `dialsForVerify` lists the endpoints the call
 * will probe (empty for undeploy), so the policy must allow those too.
 */
export function prepareTarget(registry: ConnectorRegistry, target: TargetSpec, policy: Policy, dialsForVerify: readonly string[] = []): PrepareResult {
  const found = connectorBlockOf(registry, target);
  if (!found) return { ok: false, failure: { reason: Reason.InvalidSpec, message: 'no registered connector block' } };
  const parsed = found.definition.configSchema.safeParse(found.block);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    return { ok: false, failure: { reason: Reason.InvalidSpec, message: `invalid ${found.name} block: ${issues}` } };
  }
  const connector = found.definition.create(parsed.data);
  const declared = connector.capabilities();
  const host = found.definition.hostOf?.(parsed.data);
  const ssh = host?.ssh;
  // The SSH connection and the verification probes dial from the operator too: the policy's
  // host list covers them, checked here like the connector's own grant.
  const dials = [...(ssh ? [ssh.address] : []), ...dialsForVerify];
  const missing = [...grantShortfall(declared, policy), ...grantShortfall({ read: [], write: [], exec: [], dial: dials }, policy)];
  if (missing.length > 0) {
    return { ok: false, failure: { reason: Reason.GrantDenied, message: `operator policy does not allow: ${missing.join(', ')}` } };
  }
  return {
    ok: true,
    target: {
      name: target.name, connectorName: found.name, connector, declared, host,
      secretRefs: found.definition.secretRefs?.(parsed.data) ?? [],
      sshAddress: ssh?.address, sshPinned: Boolean(ssh?.hostKey),
    },
  };
}

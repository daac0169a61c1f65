/**
 * Runs one target: validate its block, check the effective grant, deploy through a sandbox
 * on the target's host with a deadline, then verify by handshake. Returns an outcome and
 * never throws for target failures, so one target cannot block or crash the others.
 */
import type { ConnectorDefinition, DeployContext } from '../connectors/sdk/connector.ts';
import { SecretValue, type Deployment } from '../connectors/sdk/deployment.ts';
import type { HostConfig } from '../connectors/sdk/host-config.ts';
import { createSandbox } from '../sandbox/checked-sandbox.ts';
import type { Policy } from '../sandbox/grant.ts';
import type { Host } from '../sandbox/host/host.ts';
import { classifyDeployError } from './classify-error.ts';
import { grantShortfall } from './grant-shortfall.ts';
import { Reason } from './reasons.ts';
import { verifyEndpoints, type VerifyEndpoint } from './verify-endpoints.ts';

export interface TargetRunInput {
  readonly name: string;
  readonly definition: ConnectorDefinition<unknown>;
  readonly block: unknown;
  readonly verify?: { readonly endpoints: readonly VerifyEndpoint[]; readonly timeoutSeconds: number } | undefined;
  readonly deployment: Deployment;
  readonly context: DeployContext;
  readonly policy: Policy;
  /** Reads a referenced credentials Secret (`null` when missing). */
  readonly readSecret: (name: string) => Promise<Readonly<Record<string, string>> | null>;
  /** Gives the host a configuration names (the caller owns and pools hosts). */
  readonly hostFor: (config: HostConfig | undefined, signal: AbortSignal) => Promise<Host>;
  /** The host key accepted by trust on first use for a host configuration, if any. */
  readonly observedHostKey?: (config: HostConfig | undefined) => string | undefined;
  /** The host verification probes run from (the operator's own). */
  readonly probeHost: Host;
  readonly deployTimeoutMs: number;
  readonly signal: AbortSignal;
}

export interface TargetOutcome {
  readonly ok: boolean;
  readonly reason: Reason;
  readonly message: string;
  readonly retryable: boolean;
  /** A connector call happened (for metrics and tests). */
  readonly invoked: boolean;
  readonly changed: boolean;
  readonly verified: boolean;
  readonly remoteId?: string | undefined;
}

const fail = (reason: Reason, message: string, retryable: boolean, invoked = false): TargetOutcome =>
  ({ ok: false, reason, message, retryable, invoked, changed: false, verified: false });

/** Reads each referenced Secret, wrapping every value so it cannot reach a log by accident. */
export async function readSecrets(input: Pick<TargetRunInput, 'readSecret'>, names: readonly string[]): Promise<Map<string, Record<string, SecretValue>>> {
  const out = new Map<string, Record<string, SecretValue>>();
  for (const name of new Set(names)) {
    const data = await input.readSecret(name);
    if (data) out.set(name, Object.fromEntries(Object.entries(data).map(([k, v]) => [k, new SecretValue(Buffer.from(v, 'base64').toString('utf8'))])));
  }
  return out;
}

/** Deploys (and verifies) one target. */
export async function runTarget(input: TargetRunInput): Promise<TargetOutcome> {
  const parsed = input.definition.configSchema.safeParse(input.block);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    return fail(Reason.InvalidSpec, `invalid ${input.definition.name} block: ${issues}`, false);
  }
  const connector = input.definition.create(parsed.data);
  const declared = connector.capabilities();
  // The SSH connection and the verification probes dial from the operator too: the policy's
  // host list covers them, checked before any I/O like the connector's own grant.
  const ssh = input.definition.hostOf?.(parsed.data)?.ssh;
  const dials = [...(ssh ? [ssh.address] : []), ...(input.verify?.endpoints.map((e) => e.address) ?? [])];
  const missing = [...grantShortfall(declared, input.policy), ...grantShortfall({ read: [], write: [], exec: [], dial: dials }, input.policy)];
  if (missing.length > 0) {
    return fail(Reason.GrantDenied, `operator policy does not allow: ${missing.join(', ')}`, false);
  }

  const timeout = AbortSignal.timeout(input.deployTimeoutMs);
  const signal = AbortSignal.any([input.signal, timeout]);
  let result;
  try {
    const host = await input.hostFor(input.definition.hostOf?.(parsed.data), signal);
    const secrets = await readSecrets(input, input.definition.secretRefs?.(parsed.data) ?? []);
    const sandbox = createSandbox({ grant: declared, policy: input.policy, host });
    try {
      const context = { ...input.context, secrets, allowAmbientIdentity: input.policy.ambientCloudIdentity === true };
      result = await connector.deploy(signal, sandbox, input.deployment, context);
    } finally {
      await sandbox.close();
    }
  } catch (err) {
    const c = classifyDeployError(err, timeout.aborted);
    return fail(c.reason, c.message, c.retryable, true);
  }

  const base = { invoked: true, changed: result.changed, remoteId: result.remoteId };
  const tofu = ssh && !ssh.hostKey ? input.observedHostKey?.(input.definition.hostOf?.(parsed.data)) : undefined;
  const deployed = `${result.message ?? 'deployed'}${tofu ? `; host key accepted on first use, pin it as hostKey: ${tofu}` : ''}`;
  if (!input.verify) {
    return { ok: true, reason: Reason.Deployed, message: deployed, retryable: false, verified: false, ...base };
  }
  const v = await verifyEndpoints({
    endpoints: input.verify.endpoints,
    fingerprint: input.deployment.fingerprint,
    timeoutMs: input.verify.timeoutSeconds * 1000,
    policy: input.policy,
    host: input.probeHost,
    signal: input.signal,
  });
  if (!v.ok) return { ok: false, reason: Reason.VerifyFailed, message: v.message, retryable: true, verified: false, ...base };
  return { ok: true, reason: Reason.Deployed, message: `${deployed}; ${v.message}`, retryable: false, verified: true, ...base };
}

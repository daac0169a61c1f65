/**
 * Deploy through the one pipeline: prepare (every policy check) → session (host, secrets,
 * sandbox, deadline) → `connector.deploy` → verification by a fresh TLS handshake.
 */
import type { Deployment } from '@cert-deployer/connector-sdk';
import { DeadlineError } from '../../core/clock.ts';
import type { Host } from '@cert-deployer/connector-sdk/sandbox';
import { classifyDeployError } from '../classify-error.ts';
import { Reason } from '../reasons.ts';
import { verifyEndpoints } from '../verify-endpoints.ts';
import { prepareTarget, type ConnectorRegistry, type TargetSpec } from './prepare-target.ts';
import { failed, type TargetOutcome } from './target-outcome.ts';
import { runSession, type TargetEnv } from './target-session.ts';

export interface DeployTargetInput {
  readonly registry: ConnectorRegistry;
  readonly target: TargetSpec;
  readonly deployment: Deployment;
  readonly ownerId: string;
  readonly remoteId?: string | undefined;
  readonly env: TargetEnv;
  /** The host verification probes run from (the operator's own). */
  readonly probeHost: Host;
  readonly signal: AbortSignal;
}

/** Deploys (and verifies) one target; returns an outcome, never throws for target failures. */
export async function deployTarget(input: DeployTargetInput): Promise<TargetOutcome> {
  const verify = input.target.verify;
  const prepared = prepareTarget(input.registry, input.target, input.env.access, verify?.endpoints.map((e) => e.address) ?? []);
  if (!prepared.ok) return { ...failed(prepared.failure.reason, prepared.failure.message, false), policies: prepared.failure.policies ?? [], plugin: prepared.failure.plugin };
  const t = prepared.target;

  let result;
  try {
    result = await runSession(t, input.env, { ownerId: input.ownerId, remoteId: input.remoteId }, input.signal,
      (runtime, call) => runtime.deploy(call, input.deployment));
  } catch (err) {
    const c = classifyDeployError(err, err instanceof DeadlineError);
    return { ...failed(c.reason, c.message, c.retryable, true), policies: t.policies, plugin: t.plugin };
  }

  const base = { invoked: true, changed: result.changed, remoteId: result.remoteId, policies: t.policies, plugin: t.plugin };
  const tofu = t.sshAddress && !t.sshPinned ? input.env.hosts.observedHostKey(input.env.namespace, t.host) : undefined;
  const deployed = `${result.message ?? 'deployed'}${tofu ? `; host key accepted on first use, pin it as hostKey: ${tofu}` : ''}`;
  if (!verify) return { ok: true, reason: Reason.Deployed, message: deployed, retryable: false, verified: false, ...base };
  const v = await verifyEndpoints({
    endpoints: verify.endpoints, fingerprint: input.deployment.fingerprint, timeoutMs: verify.timeoutSeconds * 1000,
    policy: t.policy, host: input.probeHost, signal: input.signal, clock: input.env.clock,
  });
  const served = v.servedNotAfter ? { servedNotAfter: v.servedNotAfter } : {};
  if (!v.ok) return { ok: false, reason: Reason.VerifyFailed, message: v.message, retryable: true, verified: false, ...base, ...served };
  return { ok: true, reason: Reason.Deployed, message: `${deployed}; ${v.message}`, retryable: false, verified: true, ...base, ...served };
}

/**
 * Apply: the only step of a reconcile with side effects, in a fixed order — finalizer, the
 * planned target calls (side by side, each through the one pipeline), Events and metrics per
 * outcome, and ONE status write whose content is composed from the status the write sees.
 */
import type { DeploymentStatus, TargetStatus } from '../../crds/status.ts';
import type { CertificateDeploymentObject } from '../kube-types.ts';
import { deployTarget } from '../pipeline/deploy-target.ts';
import { planTarget } from '../pipeline/plan-target.ts';
import { planIsCurrent } from './plan-mode.ts';
import { policyAccess } from '../policy/policy-access.ts';
import type { TargetOutcome } from '../pipeline/target-outcome.ts';
import type { TargetEnv } from '../pipeline/target-session.ts';
import { EventAction, EventReason, Reason } from '../reasons.ts';
import type { ReconcilerDeps } from '../reconciler-deps.ts';
import type { Facts } from './gather.ts';
import { composeStatus, type Plan } from './plan.ts';
import type { DriftResults } from '../drift/compose-drift.ts';

/**
 * The pipeline environment for targets of `obj`: one policy snapshot for the namespace (the
 * DeploymentPolicies and its labels, bounded by the `--policy` flag), resolved per target in
 * prepare. Pass `access` to judge by a snapshot taken earlier in the same reconcile.
 */
export function targetEnv(obj: CertificateDeploymentObject, deps: ReconcilerDeps, access = policyAccess(deps.policySource, obj.metadata.namespace, deps.policy)): TargetEnv {
  const namespace = obj.metadata.namespace;
  return {
    namespace, access, hosts: deps.hosts, clock: deps.clock, timeoutMs: deps.deployTimeoutMs,
    readSecret: async (name) => (await deps.kube.getSecret(namespace, name))?.data ?? null,
    runtime: deps.connectorRuntime,
  };
}

/** Runs the targets the plan says deploy now; returns their outcomes by target name. */
export async function runPlannedTargets(obj: CertificateDeploymentObject, facts: Facts, p: Plan, deps: ReconcilerDeps, signal: AbortSignal): Promise<Map<string, TargetOutcome>> {
  const outcomes = new Map<string, TargetOutcome>();
  if (facts.kind !== 'active' || !facts.deployment) return outcomes;
  const deployment = facts.deployment;
  const env = targetEnv(obj, deps, p.access);
  const previous = new Map((obj.status?.targets ?? []).map((t) => [t.name, t]));
  await Promise.all(p.targets.filter((t) => t.decision.action === 'deploy').map(async ({ target, planOnly, specHash }) => {
    if (planOnly) {
      // mode: Plan: the same pipeline, the plan step under the plan sandbox; no Event, no deploy metric.
      const outcome = await planTarget({ registry: deps.registry, target, deployment, env, signal, ownerId: `${obj.metadata.uid}/${target.name}`, remoteId: previous.get(target.name)?.remoteId });
      deps.log?.info({ deployment: `${obj.metadata.namespace}/${obj.metadata.name}`, target: target.name, reason: outcome.reason, message: outcome.message }, 'target planned');
      outcomes.set(target.name, outcome);
      return;
    }
    const started = deps.clock.now();
    const connector = connectorOf(deps, target);
    const span = { deployment: `${obj.metadata.namespace}/${obj.metadata.name}`, target: target.name, connector, fingerprint: deployment.fingerprint.slice(0, 12) };
    deps.spans?.record({ phase: 'start', ...span, at: started });
    const deployed = await deployTarget({
      registry: deps.registry, target, deployment, env, probeHost: deps.hosts.local, signal,
      ownerId: `${obj.metadata.uid}/${target.name}`, remoteId: previous.get(target.name)?.remoteId,
    });
    // After a plan (mode switched back to Apply), say whether this deploy was the plan or a fresh decision.
    const before = previous.get(target.name);
    const planNote = before?.reason !== Reason.Planned ? '' : planIsCurrent(before, deployment.fingerprint, specHash) ? 'applied the plan: ' : 'plan was stale (certificate or spec changed), deployed afresh: ';
    const outcome = planNote === '' ? deployed : { ...deployed, message: `${planNote}${deployed.message}` };
    const durationMs = deps.clock.now() - started;
    deps.spans?.record({ phase: 'end', ...span, at: started + durationMs, outcome: outcome.ok ? 'Deployed' : outcome.reason, changed: outcome.ok && outcome.changed });
    deps.metrics.deploy(connector, outcome.ok ? 'success' : outcome.reason, durationMs / 1000);
    logOutcome(obj, target.name, connector, deployment.fingerprint, outcome, durationMs, deps);
    report(obj, target.name, outcome, previous.get(target.name), deps);
    outcomes.set(target.name, outcome);
  }));
  return outcomes;
}

/** Writes status once; `false` when the composed status equals what the object holds. */
export function writeStatus(obj: CertificateDeploymentObject, facts: Facts, p: Plan, outcomes: ReadonlyMap<string, TargetOutcome>, now: number, deps: ReconcilerDeps, drift?: DriftResults): Promise<boolean> {
  const generation = obj.metadata.generation;
  return deps.kube.patchStatus(obj, (current: DeploymentStatus) => composeStatus(current, generation, facts, p, outcomes, now, obj.metadata.namespace, drift));
}

function connectorOf(deps: ReconcilerDeps, target: Readonly<Record<string, unknown>>): string {
  for (const name of deps.registry.keys()) if (target[name] !== undefined) return name;
  return 'unknown';
}

/**
 * One line per attempt: info when it worked, warn when it will be retried, error when only a
 * change can help. Only a fingerprint prefix and redacted messages: never key material.
 */
function logOutcome(obj: CertificateDeploymentObject, target: string, connector: string, fingerprint: string, o: TargetOutcome, durationMs: number, deps: ReconcilerDeps): void {
  const fields = { deployment: `${obj.metadata.namespace}/${obj.metadata.name}`, target, connector, fingerprint: fingerprint.slice(0, 12), durationMs: Math.round(durationMs) };
  if (o.ok) deps.log?.info({ ...fields, changed: o.changed, verified: o.verified, outcome: o.changed ? 'deployed' : 'no-op' }, o.changed ? 'target deployed' : 'target already held the certificate');
  else if (o.retryable) deps.log?.warn({ ...fields, reason: o.reason, message: o.message, invoked: o.invoked }, 'target deploy failed; retrying with backoff');
  else deps.log?.error({ ...fields, reason: o.reason, message: o.message, invoked: o.invoked }, 'target deploy failed; waiting for a change');
}

function report(obj: CertificateDeploymentObject, target: string, o: TargetOutcome, previous: TargetStatus | undefined, deps: ReconcilerDeps): void {
  if (o.ok) {
    if (o.changed || o.verified) deps.events.event(obj, 'Normal', EventReason.Deployed, EventAction.Deploy, `${target}: ${o.message}`);
    return;
  }
  if (previous && !previous.ready && previous.reason === o.reason && previous.message === o.message) return; // no repeat
  const pluginRefused = o.reason === Reason.PluginNotInstalled || o.reason === Reason.PluginNotPinned || o.reason === Reason.PluginDigestMismatch;
  const reason = o.reason === Reason.GrantDenied ? EventReason.GrantDenied : o.reason === Reason.PolicyDenied ? EventReason.PolicyDenied : pluginRefused ? EventReason.PluginRefused : o.reason === Reason.VerifyFailed ? EventReason.VerifyFailed : EventReason.DeployFailed;
  deps.events.event(obj, 'Warning', reason, o.reason === Reason.VerifyFailed ? EventAction.Verify : EventAction.Deploy, `${target}: ${o.message}`);
}

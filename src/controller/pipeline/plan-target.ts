/**
 * Plan mode through the one pipeline: prepare (every policy check, exactly as deploy) →
 * session (host, secrets, checked sandbox, deadline) → `connector.plan` under the plan sandbox,
 * which refuses every write, command, socket send and mutating request before the checked
 * sandbox sees it. A connector cannot "plan" by doing: whatever it tries is refused and
 * counted, and a plan that tried is reported as a failure rather than shown.
 */
import type { Deployment } from '@cert-deployer/connector-sdk';
import { planSandbox, type PlanSandbox } from '@cert-deployer/connector-sdk/sandbox';
import { DeadlineError } from '../../core/clock.ts';
import { classifyDeployError } from '../classify-error.ts';
import { Reason } from '../reasons.ts';
import { prepareTarget, type ConnectorRegistry, type TargetSpec } from './prepare-target.ts';
import { failed, type TargetOutcome } from './target-outcome.ts';
import { runSession, type TargetEnv } from './target-session.ts';

export interface PlanTargetInput {
  readonly registry: ConnectorRegistry;
  readonly target: TargetSpec;
  readonly deployment: Deployment;
  readonly ownerId: string;
  readonly remoteId?: string | undefined;
  readonly env: TargetEnv;
  readonly signal: AbortSignal;
}

/** Plans one target; returns an outcome (reason Planned with the plan, or why not), never throws. */
export async function planTarget(input: PlanTargetInput): Promise<TargetOutcome> {
  const prepared = prepareTarget(input.registry, input.target, input.env.access, input.target.verify?.endpoints.map((e) => e.address) ?? []);
  if (!prepared.ok) return { ...failed(prepared.failure.reason, prepared.failure.message, false), policies: prepared.failure.policies ?? [] };
  const t = prepared.target;
  if (t.connector.plan === undefined) return { ...failed(Reason.DeployFailed, `connector ${t.connectorName} has no plan step; it cannot run in mode: Plan`, false), policies: t.policies };

  let wrapper: PlanSandbox | undefined;
  try {
    const result = await runSession(t, input.env, { ownerId: input.ownerId, remoteId: input.remoteId }, input.signal, (runtime, call) => {
      wrapper = planSandbox(call.sandbox);
      return runtime.plan({ ...call, sandbox: wrapper }, input.deployment);
    });
    const tried = wrapper?.denied;
    if (tried && tried.writeFile + tried.restoreFile + tried.exec + tried.send > 0) {
      return { ...failed(Reason.DeployFailed, `the plan step of ${t.connectorName} tried to change the target (refused: ${JSON.stringify(tried)}); no plan is shown`, false, true), policies: t.policies };
    }
    return { ok: true, reason: Reason.Planned, message: `plan: ${result.summary}`, retryable: false, invoked: true, changed: false, verified: false, policies: t.policies, plan: result };
  } catch (err) {
    const c = classifyDeployError(err, err instanceof DeadlineError);
    return { ...failed(c.reason, `plan failed: ${c.message}`, c.retryable, true), policies: t.policies };
  }
}

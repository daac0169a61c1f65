/**
 * Undeploy through the same pipeline as deploy: the same preparation (so the same policy
 * checks, including the SSH address), the same session, and errors classified and redacted the
 * same way before they reach an Event or a log.
 */
import { classifyDeployError } from '../classify-error.ts';
import { DeadlineError } from '../../core/clock.ts';
import { prepareTarget, type ConnectorRegistry, type TargetSpec } from './prepare-target.ts';
import { runSession, type TargetEnv } from './target-session.ts';

/** `removed`: the connector cleaned up; `nothing`: it has no undeploy; `failed`: why not. */
export type UndeployOutcome = { readonly kind: 'removed' } | { readonly kind: 'nothing' } | { readonly kind: 'failed'; readonly message: string; readonly retryable: boolean };

export interface UndeployTargetInput {
  readonly registry: ConnectorRegistry;
  readonly target: TargetSpec;
  readonly ownerId: string;
  readonly remoteId?: string | undefined;
  readonly env: TargetEnv;
  readonly signal: AbortSignal;
}

/** Removes what the target's connector created, if it knows how. Never throws. */
export async function undeployTarget(input: UndeployTargetInput): Promise<UndeployOutcome> {
  const prepared = prepareTarget(input.registry, input.target, input.env.access);
  if (!prepared.ok) return { kind: 'failed', message: prepared.failure.message, retryable: false };
  if (!prepared.target.connector.undeploy) return { kind: 'nothing' };
  try {
    await runSession(prepared.target, input.env, { ownerId: input.ownerId, remoteId: input.remoteId }, input.signal,
      (runtime, call) => runtime.undeploy(call));
    return { kind: 'removed' };
  } catch (err) {
    const c = classifyDeployError(err, err instanceof DeadlineError);
    return { kind: 'failed', message: c.message, retryable: c.retryable };
  }
}

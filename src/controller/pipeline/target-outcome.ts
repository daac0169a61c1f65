/**
 * What one pipeline call reports back to the reconcile: never an exception for a target
 * failure, so one target can neither block nor crash the others.
 */
import type { PluginIdentity } from '../plugins/plugin-pins.ts';
import type { PlanResult } from '@cert-deployer/connector-sdk';
import type { Reason } from '../reasons.ts';

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
  /** notAfter of what the verified endpoints served at the last probe (earliest of them). */
  readonly servedNotAfter?: string | undefined;
  /** The DeploymentPolicies that applied to this call (status shows them per target). */
  readonly policies?: readonly string[] | undefined;
  /** For a plugin target: the plugin loaded (or refused) for this call. */
  readonly plugin?: PluginIdentity | undefined;
  /** mode: Plan: the connector's plan (reason Planned); nothing was changed. */
  readonly plan?: PlanResult | undefined;
}

/** A failed outcome; `invoked` says whether the connector was called before it failed. */
export const failed = (reason: Reason, message: string, retryable: boolean, invoked = false): TargetOutcome =>
  ({ ok: false, reason, message, retryable, invoked, changed: false, verified: false });

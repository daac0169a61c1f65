/**
 * A short hash of what policy makes of one target: the resolved flat policy and the applied
 * policy names, or the denial. It is mixed into the target's spec hash, so a policy change that
 * changes THIS target's grant re-runs the target (deploy or PolicyDenied), while a change that
 * leaves its grant alone costs nothing. Pure: prepare makes no I/O.
 */
import { createHash } from 'node:crypto';
import { prepareTarget, type ConnectorRegistry, type TargetSpec } from '../pipeline/prepare-target.ts';
import type { PolicyAccess } from './policy-access.ts';

/** 16 hex chars identifying the policy outcome of `target` under `access`. */
export function policyDigest(registry: ConnectorRegistry, target: TargetSpec, access: PolicyAccess): string {
  const p = prepareTarget(registry, target, access, target.verify?.endpoints.map((e) => e.address) ?? []);
  // The plugin's digest is part of it: replacing a plugin file re-runs its targets.
  const view = p.ok ? { policy: p.target.policy, names: p.target.policies, plugin: p.target.plugin } : { denied: p.failure.reason, message: p.failure.message };
  return createHash('sha256').update(JSON.stringify(view)).digest('hex').slice(0, 16);
}

/** What plan needs to fold policy into each target's spec hash: the snapshot and the digest. */
export interface PolicyJudge {
  readonly access: PolicyAccess;
  digest(target: TargetSpec): string;
}

/** The judge for one reconcile: one snapshot, digests computed from it. */
export function policyJudge(registry: ConnectorRegistry, access: PolicyAccess): PolicyJudge {
  return { access, digest: (target) => policyDigest(registry, target, access) };
}

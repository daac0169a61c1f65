/**
 * The `WeakCredential` condition: how `--weak-credentials=Warn` (the default) makes a weak key
 * or signature visible without blocking delivery. Set (True) while the Secret's credential has
 * findings, removed when a stronger one replaces it; Ready is not touched, because the
 * certificate is delivered. Pure, like the rest of status composition.
 */
import type { Weakness } from '@cert-deployer/connector-sdk';
import { removeCondition, setCondition } from '../core/conditions.ts';
import type { DeploymentStatus } from '../crds/status.ts';
import { ConditionType } from './reasons.ts';

/** One line naming every finding; it never holds key material (findings name sizes and algorithms). */
export function weakCredentialMessage(weaknesses: readonly Weakness[]): string {
  return `the credential is weak: ${weaknesses.map((w) => w.message).join('; ')}; it is deployed (set --weak-credentials=Refuse to refuse such Secrets)`;
}

/**
 * `status` with the WeakCredential condition matching `weaknesses`; `undefined` keeps the
 * condition as it is (the Secret was not read this time, so nothing new is known about it).
 */
export function withWeakCredential(status: DeploymentStatus, weaknesses: readonly Weakness[] | undefined, generation: number, now: number): DeploymentStatus {
  if (weaknesses === undefined) return status;
  const first = weaknesses[0];
  if (first === undefined) {
    const { conditions, changed } = removeCondition(status.conditions, ConditionType.WeakCredential);
    return changed ? { ...status, conditions } : status;
  }
  const { conditions } = setCondition(status.conditions, { type: ConditionType.WeakCredential, status: 'True', reason: first.reason, message: weakCredentialMessage(weaknesses), observedGeneration: generation }, now);
  return { ...status, conditions };
}

/** The WeakCredential condition's message in `status`, to tell a new finding from a repeat. */
export function weakCredentialNoted(status: DeploymentStatus | undefined): string | undefined {
  return status?.conditions?.find((c) => c.type === ConditionType.WeakCredential)?.message;
}

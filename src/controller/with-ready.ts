/**
 * Status with the Ready condition set (keeping lastTransitionTime unless the status flips)
 * and observedGeneration bumped. Everything else in `prev` is kept as is.
 */
import type { DeploymentStatus } from '../crds/status.ts';
import { setCondition } from '../core/conditions.ts';
import { ConditionType } from './reasons.ts';

/** `prev` with Ready = `status`/`reason`/`message` as of `now`. */
export function withReady(prev: DeploymentStatus, generation: number, status: 'True' | 'False', reason: string, message: string, now: number): DeploymentStatus {
  const { conditions } = setCondition(prev.conditions, { type: ConditionType.Ready, status, reason, message, observedGeneration: generation }, now);
  return { ...prev, observedGeneration: generation, conditions };
}

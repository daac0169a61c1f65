/**
 * Pure status composition for drift: the per-target `drift` record (a fresh check's, or the
 * previous one while it still describes the fingerprint the target holds) and the deployment's
 * `Drifted` condition summarising them.
 */
import { setCondition, removeCondition } from '../../core/conditions.ts';
import { DriftVerdict, type TargetDrift } from '../../crds/drift-status.ts';
import type { DeploymentStatus, TargetStatus } from '../../crds/status.ts';
import { ConditionType, DriftReason } from '../reasons.ts';
import { ACTIONABLE_VERDICTS } from './verdict.ts';

/** Drift records made by this reconcile, by target name. */
export type DriftResults = ReadonlyMap<string, TargetDrift>;

/**
 * `next` with its drift record: the fresh one, else the previous one if it was about the
 * fingerprint the target now holds (a verdict on an older certificate says nothing any more).
 */
export function withDrift(next: TargetStatus, previous: TargetStatus | undefined, fresh: TargetDrift | undefined): TargetStatus {
  const { drift: _old, ...rest } = next;
  const kept = fresh ?? (previous?.drift && previous.drift.fingerprint === next.fingerprint ? previous.drift : undefined);
  return kept ? { ...rest, drift: kept } : rest;
}

/** Most serious first. */
const ORDER: readonly string[] = [DriftVerdict.Diverged, DriftVerdict.InstalledNotBound, DriftVerdict.Absent];

/** The drift record that still describes what the target should hold, if any. */
export function currentDrift(t: TargetStatus): TargetDrift | undefined {
  return t.ready && t.drift && t.drift.fingerprint === t.fingerprint ? t.drift : undefined;
}

/** `status` with the Drifted condition from `targets` (removed when no target has a current check). */
export function withDriftedCondition(status: DeploymentStatus, targets: readonly TargetStatus[], generation: number, now: number): DeploymentStatus {
  const checked = targets.map((t) => [t.name, currentDrift(t)] as const).filter((x): x is readonly [string, TargetDrift] => x[1] !== undefined);
  if (checked.length === 0) {
    const { conditions, changed } = removeCondition(status.conditions, ConditionType.Drifted);
    return changed ? { ...status, conditions } : status;
  }
  const drifted = checked.filter(([, d]) => ACTIONABLE_VERDICTS.has(d.verdict)).sort((a, b) => ORDER.indexOf(a[1].verdict) - ORDER.indexOf(b[1].verdict));
  const unknown = checked.filter(([, d]) => d.verdict === DriftVerdict.Unknown);
  const list = (xs: readonly (readonly [string, TargetDrift])[]) => xs.map(([n, d]) => `${n}: ${d.message}`).join('; ').slice(0, 2048);
  const input = drifted.length > 0
    ? { status: 'True' as const, reason: drifted[0]![1].verdict, message: list(drifted) }
    : unknown.length > 0
      ? { status: 'Unknown' as const, reason: DriftReason.Unreachable, message: list(unknown) }
      : { status: 'False' as const, reason: DriftVerdict.Serving, message: `${checked.length} checked target(s) serve what was deployed` };
  const { conditions } = setCondition(status.conditions, { type: ConditionType.Drifted, observedGeneration: generation, ...input }, now);
  return { ...status, conditions };
}

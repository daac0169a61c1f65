/**
 * Pure status transitions for one target after a run. The entry keeps the last fingerprint the
 * target took successfully, so a failing rotation still shows what the target serves.
 */
import type { PlanAction } from '@cert-deployer/connector-sdk';
import type { TargetPlan, TargetStatus } from '../crds/status.ts';
import { Reason } from './reasons.ts';
import type { TargetOutcome } from './pipeline/target-outcome.ts';

export interface TargetStatusInput {
  readonly name: string;
  readonly previous: TargetStatus | undefined;
  readonly outcome: TargetOutcome;
  readonly fingerprint: string;
  /** The Secret fingerprint recorded with the previous status (to reset attempts on rotation). */
  readonly lastSeenFingerprint: string | undefined;
  readonly generation: number;
  readonly specHash: string;
  readonly now: string;
}

const MAX_MESSAGE = 4096;
const clip = (s: string) => (s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE - 1)}…` : s);

/** The target's status entry after `outcome`. */
export function nextTargetStatus(i: TargetStatusInput): TargetStatus {
  const prev = i.previous;
  const remoteId = i.outcome.remoteId ?? prev?.remoteId;
  if (i.outcome.plan) return plannedStatus(i, remoteId);
  if (i.outcome.ok) {
    const tookNow = i.outcome.changed || prev?.fingerprint !== i.fingerprint || !prev?.deployedAt;
    return strip({
      name: i.name,
      ready: true,
      fingerprint: i.fingerprint,
      observedGeneration: i.generation,
      specHash: i.specHash,
      deployedAt: tookNow ? i.now : prev?.deployedAt,
      verifiedAt: i.outcome.verified ? i.now : undefined,
      servedNotAfter: i.outcome.servedNotAfter ?? (i.outcome.verified ? undefined : prev?.servedNotAfter),
      lastAttemptAt: i.now,
      remoteId,
      attempts: 0,
      policies: policiesOf(i.outcome),
      plugin: i.outcome.plugin && { ...i.outcome.plugin },
      reason: Reason.Deployed,
      message: clip(i.outcome.message),
    });
  }
  const sameAttempt = prev && !prev.ready && prev.specHash === i.specHash && i.lastSeenFingerprint === i.fingerprint;
  return strip({
    name: i.name,
    ready: false,
    fingerprint: prev?.fingerprint,
    attemptedFingerprint: i.fingerprint,
    observedGeneration: i.generation,
    specHash: i.specHash,
    deployedAt: prev?.deployedAt,
    verifiedAt: prev?.fingerprint === i.fingerprint ? prev?.verifiedAt : undefined,
    servedNotAfter: i.outcome.servedNotAfter ?? prev?.servedNotAfter,
    lastAttemptAt: i.now,
    remoteId,
    attempts: (sameAttempt ? (prev.attempts ?? 0) : 0) + 1,
    policies: policiesOf(i.outcome),
    plugin: i.outcome.plugin && { ...i.outcome.plugin },
    reason: i.outcome.reason,
    message: clip(i.outcome.message),
  });
}

/**
 * mode: Plan: what the target held stays as it was (its fingerprint, ready only if it already
 * holds the current certificate); the plan is recorded with the certificate and spec it is for.
 */
function plannedStatus(i: TargetStatusInput, remoteId: string | undefined): TargetStatus {
  const prev = i.previous;
  const plan = i.outcome.plan!;
  return strip({
    name: i.name,
    ready: prev?.ready === true && prev.fingerprint === i.fingerprint,
    fingerprint: prev?.fingerprint,
    observedGeneration: i.generation,
    specHash: i.specHash,
    deployedAt: prev?.deployedAt,
    verifiedAt: prev?.verifiedAt,
    servedNotAfter: prev?.servedNotAfter,
    lastAttemptAt: i.now,
    remoteId,
    attempts: 0,
    policies: policiesOf(i.outcome),
    reason: Reason.Planned,
    message: clip(i.outcome.message),
    plan: { fingerprint: i.fingerprint, specHash: i.specHash, plannedAt: i.now, actions: plan.actions.slice(0, 64).map(toStatusAction) },
  });
}

/** A plan action as status stores it (plain, mutable arrays). */
const toStatusAction = (a: PlanAction): TargetPlan['actions'][number] => (a.kind === 'exec' ? { kind: a.kind, argv: [...a.argv] } : { ...a });

/** The applied policy names, when the outcome carries any (absent rather than empty). */
const policiesOf = (o: TargetOutcome) => (o.policies && o.policies.length > 0 ? [...o.policies] : undefined);

/** Drops undefined fields so status compares and serialises stably. */
function strip(s: TargetStatus): TargetStatus {
  return Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as TargetStatus;
}

/**
 * Plan: the pure heart of a reconcile. From the facts gather read and the object's status it
 * decides which targets run now, which wait (and how long), whether the finalizer changes, which
 * validation Event is news, and — in {@link composeStatus} — the next status. composeStatus is
 * a function of the CURRENT status, so when a status write conflicts the write re-reads the
 * object and composes again from the fresh status: a status computed from a stale object is
 * never written.
 */
import type { DeploymentStatus, TargetStatus } from '../../crds/status.ts';
import { FINALIZER, REDEPLOY_AT_ANNOTATION, REDEPLOY_TARGETS_ANNOTATION } from '../../crds/names.ts';
import { decideTarget, retryDelay, type BackoffPolicy, type TargetDecision } from '../decide-target.ts';
import { gateTarget, rolloutWake } from '../rollout/gate.ts';
import { rolloutOf, rolloutStatusOf, withRolloutSummary } from '../rollout/compose-rollout.ts';
import type { CertificateDeploymentObject } from '../kube-types.ts';
import type { TargetSpec } from '../pipeline/prepare-target.ts';
import type { PolicyAccess } from '../policy/policy-access.ts';
import type { PolicyJudge } from '../policy/policy-digest.ts';
import type { TargetOutcome } from '../pipeline/target-outcome.ts';
import { EventReason, Reason } from '../reasons.ts';
import { summarizeReady } from '../summarize.ts';
import { targetSpecHash } from '../target-spec-hash.ts';
import { nextTargetStatus } from '../target-status.ts';
import { withReady } from '../with-ready.ts';
import { weakCredentialMessage, weakCredentialNoted, withWeakCredential } from '../weak-credential.ts';
import { planDrift, type DriftPlan } from '../drift/plan-drift.ts';
import { withDrift, withDriftedCondition, type DriftResults } from '../drift/compose-drift.ts';
import type { Facts } from './gather.ts';
import { decideMode } from './plan-mode.ts';

/** A validation Warning worth emitting (it is not a repeat of what status already says). */
export interface PlannedEvent {
  readonly reason: string;
  readonly note: string;
}

export interface PlannedTarget {
  readonly target: TargetSpec;
  readonly specHash: string;
  readonly decision: TargetDecision;
  /** spec.mode Plan: run the connector's plan step instead of deploy (see plan-mode.ts). */
  readonly planOnly?: boolean;
}

export interface Plan {
  /** The finalizer list to set before any side effect, when it must change. */
  readonly finalizers?: readonly string[];
  /** deletionPolicy: Delete and the object is going: undeploy, then drop the finalizer. */
  readonly undeploy: boolean;
  readonly event?: PlannedEvent;
  /** Every spec target with its decision, in spec order. */
  readonly targets: readonly PlannedTarget[];
  /** Soonest wait among targets that back off. */
  readonly requeueAfterMs?: number;
  /** A new redeploy request (annotation value) this plan acts on; status records it. */
  readonly redeployRequest?: string;
  /** The policy snapshot the target hashes were computed with (apply judges by the same one). */
  readonly access?: PolicyAccess;
  /** Settled targets to re-verify now (drift detection), and when the next one is due. */
  readonly drift?: DriftPlan;
}

const readyOf = (s: DeploymentStatus | undefined) => s?.conditions?.find((c) => c.type === 'Ready');

/**
 * What a target's credentials Secrets look like in the informer cache (`name=resourceVersion`),
 * or `undefined` when it reads none. See `credentialVersions` in credential-refs.ts.
 */
export type CredentialVersions = (target: TargetSpec) => string | undefined;

/** The per-target spec hash: the block, plus what policy makes of it and its credentials' versions when known. */
function specHashOf(target: TargetSpec, judge?: PolicyJudge, credentials?: CredentialVersions): string {
  const cred = credentials?.(target);
  if (!judge && cred === undefined) return targetSpecHash(target);
  return targetSpecHash({ target, ...(judge ? { policy: judge.digest(target) } : {}), ...(cred !== undefined ? { credentials: cred } : {}) });
}

/**
 * Decides what this reconcile does. Pure: same inputs, same plan. With a `judge`, each target's
 * spec hash also covers what policy makes of it, so a policy change re-evaluates the target;
 * with `credentials`, it covers the versions of the credentials Secrets the target reads, so a
 * fixed (or rotated) credentials Secret re-runs the target at once — also out of a terminal
 * failure, which otherwise waits for the slow timer.
 */
export function plan(obj: CertificateDeploymentObject, facts: Facts, now: number, backoff?: BackoffPolicy, judge?: PolicyJudge, credentials?: CredentialVersions): Plan {
  const prev = obj.status ?? {};
  const finalizers = obj.metadata.finalizers ?? [];
  const has = finalizers.includes(FINALIZER);
  if (facts.kind === 'deleting') return has ? { undeploy: true, finalizers: finalizers.filter((f) => f !== FINALIZER), targets: [] } : { undeploy: false, targets: [] };
  if (facts.kind === 'invalidSpec' || facts.kind === 'suspended') return { undeploy: false, targets: [] };

  // The finalizer goes on before the first side effect, and only when there is cleanup to do.
  const want = facts.spec.deletionPolicy === 'Delete';
  const finalizerChange = want !== has ? { finalizers: want ? [...finalizers, FINALIZER] : finalizers.filter((f) => f !== FINALIZER) } : {};
  if (facts.kind === 'secretMissing') {
    const event = readyOf(prev)?.reason === Reason.SecretNotFound ? {} : { event: { reason: EventReason.SecretNotFound, note: secretMissingMessage(obj, facts.spec.secretRef.name) } };
    return { undeploy: false, targets: [], ...finalizerChange, ...event };
  }
  if (facts.kind === 'invalidCertificate') {
    const event = readyOf(prev)?.message === facts.message ? {} : { event: { reason: EventReason.InvalidCertificate, note: facts.message } };
    return { undeploy: false, targets: [], ...finalizerChange, ...event };
  }

  const previous = new Map((prev.targets ?? []).map((t) => [t.name, t]));
  const redeploy = redeployRequestOf(obj);
  let requeueAfterMs: number | undefined;
  const rollout = rolloutOf(facts.spec, prev.targets ?? [], facts.certificate.fingerprint, now);
  const targets = facts.spec.targets.map((target): PlannedTarget => {
    const specHash = specHashOf(target, judge, credentials);
    let decision = decideTarget({ fingerprint: facts.certificate.fingerprint, lastSeenFingerprint: prev.fingerprint, specHash, status: previous.get(target.name), now, ...(backoff ? { backoff } : {}) });
    if (redeploy && decision.action !== 'deploy' && (!redeploy.targets || redeploy.targets.has(target.name))) decision = { action: 'deploy', why: `redeploy requested (${redeploy.value})` };
    // Plan mode first: a planned target is read, never deployed, so a rollout does not gate it.
    const moded = decideMode(facts.spec.mode ?? 'Apply', decision, previous.get(target.name), facts.certificate.fingerprint, specHash);
    decision = moded.decision;
    const gated = rollout !== undefined && !moded.planOnly;
    if (gated) decision = gateTarget(rollout, target.name, decision, now);
    if (decision.action === 'wait') requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, decision.delayMs);
    const wake = gated ? rolloutWake(rollout, decision) : undefined;
    if (wake !== undefined) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, wake);
    return { target, specHash, decision, ...(moded.planOnly ? { planOnly: true } : {}) };
  });
  const weak = facts.weaknesses && facts.weaknesses.length > 0 ? weakCredentialMessage(facts.weaknesses) : undefined;
  const weakEvent = weak !== undefined && weak !== weakCredentialNoted(prev) ? { event: { reason: EventReason.WeakCredential, note: `Secret ${facts.spec.secretRef.name}: ${weak}` } } : {};
  const settled = targets.filter((t) => t.decision.action === 'skip').map((t) => previous.get(t.target.name)).filter((t): t is TargetStatus => t !== undefined);
  const drift = planDrift({ uid: obj.metadata.uid, interval: facts.spec.verify?.interval, driftPolicy: facts.spec.driftPolicy, settled, now });
  if (drift.nextInMs !== undefined) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, drift.nextInMs);
  return { undeploy: false, targets, drift, ...finalizerChange, ...weakEvent, ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}), ...(redeploy ? { redeployRequest: redeploy.value } : {}), ...(judge ? { access: judge.access } : {}) };
}

/** When a target that just failed is due again (its status says how many times it failed). */
export function requeueAfterFailures(next: DeploymentStatus, outcomes: ReadonlyMap<string, TargetOutcome>, backoff?: BackoffPolicy): number | undefined {
  let soonest: number | undefined;
  for (const t of next.targets ?? []) {
    if (outcomes.get(t.name)?.ok !== false) continue;
    soonest = Math.min(soonest ?? Infinity, retryDelay(t, backoff));
  }
  return soonest;
}

/**
 * The next status, composed from `current` (the status as last read — the cached object's,
 * or a fresh one after a conflict), the facts, and the outcomes of the targets that ran.
 */
export function composeStatus(current: DeploymentStatus, generation: number, facts: Facts, p: Plan, outcomes: ReadonlyMap<string, TargetOutcome>, now: number, namespace: string, drift?: DriftResults): DeploymentStatus | undefined {
  switch (facts.kind) {
    case 'deleting': return undefined;
    case 'invalidSpec': return withReady(current, generation, 'False', Reason.InvalidSpec, facts.message, now);
    case 'suspended': return withReady(current, generation, 'False', Reason.Suspended, 'suspend is true: no work is done', now);
    case 'secretMissing': return withReady(current, generation, 'False', Reason.SecretNotFound, secretMissingMessage({ metadata: { namespace } }, facts.spec.secretRef.name), now);
    case 'invalidCertificate': return withReady(current, generation, 'False', Reason.InvalidCertificate, facts.message, now);
    case 'active': break;
  }
  const fingerprint = facts.certificate.fingerprint;
  const prevTargets = new Map((current.targets ?? []).map((t) => [t.name, t]));
  const nowIso = new Date(now).toISOString();
  const targets: TargetStatus[] = [];
  for (const { target, specHash } of p.targets) {
    const previous = prevTargets.get(target.name);
    const outcome = outcomes.get(target.name);
    const next = outcome ? nextTargetStatus({ name: target.name, previous, outcome, fingerprint, lastSeenFingerprint: current.fingerprint, generation, specHash, now: nowIso }) : previous;
    if (next) targets.push(withDrift(next, previous, drift?.get(target.name)));
  }
  const rollout = rolloutOf(facts.spec, targets, fingerprint, now);
  const summary = withRolloutSummary(summarizeReady(p.targets.map((t) => t.target.name), targets, fingerprint), rollout, targets);
  return {
    ...withDriftedCondition(withWeakCredential(withReady(current, generation, summary.status, summary.reason, summary.message, now), facts.deployment ? facts.weaknesses ?? [] : undefined, generation, now), targets, generation, now),
    fingerprint,
    notAfter: facts.certificate.notAfter.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...(facts.secretResourceVersion ? { secretResourceVersion: facts.secretResourceVersion } : {}),
    ...(p.redeployRequest ? { redeployRequest: p.redeployRequest } : {}),
    targets,
    rollout: rollout ? rolloutStatusOf(rollout, now, current.rollout) : undefined,
  };
}

/** A redeploy request the status has not acted on yet, and the targets it names (all when absent). */
function redeployRequestOf(obj: CertificateDeploymentObject): { value: string; targets?: ReadonlySet<string> } | undefined {
  const value = obj.metadata.annotations?.[REDEPLOY_AT_ANNOTATION]?.trim();
  if (!value || value === obj.status?.redeployRequest) return undefined;
  const list = obj.metadata.annotations?.[REDEPLOY_TARGETS_ANNOTATION]?.split(',').map((t) => t.trim()).filter(Boolean);
  return list && list.length > 0 ? { value, targets: new Set(list) } : { value };
}

function secretMissingMessage(obj: { metadata: { namespace: string } }, secret: string): string {
  return `Secret ${obj.metadata.namespace}/${secret} not found; waiting for it to appear`;
}

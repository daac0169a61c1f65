/**
 * Reconciles one CertificateDeployment as gather → plan → apply (the shape of cert-manager's
 * controllers): gather reads the facts, the pure plan decides, apply performs the finalizer
 * change, the target calls and exactly one status write.
 */
import type { DeploymentStatus } from '../../crds/status.ts';
import type { CertificateDeploymentObject } from '../kube-types.ts';
import { EventAction } from '../reasons.ts';
import type { ReconcilerDeps } from '../reconciler-deps.ts';
import { runPlannedTargets, writeStatus } from './apply.ts';
import { gather, type Facts } from './gather.ts';
import { composeStatus, plan, requeueAfterFailures, type CredentialVersions, type Plan } from './plan.ts';
import { credentialVersions } from '../credential-refs.ts';
import { policyAccess } from '../policy/policy-access.ts';
import { policyJudge } from '../policy/policy-digest.ts';
import { undeployTargets } from './undeploy.ts';
import { checkAndRepair } from './drift-step.ts';
import { currentDrift } from '../drift/compose-drift.ts';
import { planDrift } from '../drift/plan-drift.ts';
import { ACTIONABLE_VERDICTS } from '../drift/verdict.ts';

export interface ReconcileOutcome {
  readonly requeueAfterMs?: number;
  /** Connector deploy calls made (tests and metrics count them). */
  readonly invocations: number;
  readonly statusWritten: boolean;
}

/** Reconciles `obj` (the cached object for a queue key). */
export async function reconcileDeployment(obj: CertificateDeploymentObject, deps: ReconcilerDeps, signal: AbortSignal): Promise<ReconcileOutcome> {
  const now = deps.clock.now();
  const gatherDeps = { kube: deps.kube, specSchema: deps.specSchema, now, secretMeta: deps.secretMeta, weakCredentials: deps.weakCredentials };
  let facts = await gather(obj, gatherDeps);
  const judge = policyJudge(deps.registry, policyAccess(deps.policySource, obj.metadata.namespace, deps.policy));
  const secretMeta = deps.secretMeta;
  const credentials: CredentialVersions | undefined = secretMeta
    ? (target) => credentialVersions(deps.registry, target, (name) => secretMeta(obj.metadata.namespace, name))
    : undefined;
  let p = plan(obj, facts, now, deps.backoff, judge, credentials);
  if (facts.kind === 'active' && !facts.deployment && p.targets.some((t) => t.decision.action === 'deploy')) {
    // Status vouched for the certificate, but a target is about to take it: read it now.
    facts = await gather(obj, { ...gatherDeps, readSecret: true });
    p = plan(obj, facts, now, deps.backoff, judge, credentials);
  }
  logDecisions(obj, facts, p, now, deps);

  if (p.undeploy) await undeployTargets(obj, deps, signal);
  if (p.finalizers) await deps.kube.setFinalizers(obj, p.finalizers);
  if (facts.kind === 'deleting') return { invocations: 0, statusWritten: false };
  if (p.event) deps.events.event(obj, 'Warning', p.event.reason, EventAction.Validate, p.event.note);

  if (facts.kind === 'active') deps.metrics.setExpiry(obj.metadata.namespace, obj.metadata.name, facts.certificate.notAfter.getTime() / 1000);
  const outcomes = await runPlannedTargets(obj, facts, p, deps, signal);
  const drifted = await checkAndRepair(obj, facts, p, outcomes, now, deps, signal, gatherDeps);
  facts = drifted.facts;
  const statusWritten = await writeStatus(obj, facts, p, outcomes, now, deps, drifted.records);
  // Failed targets come due again after their backoff, counted on the status just composed.
  const next = composeStatus(obj.status ?? {}, obj.metadata.generation, facts, p, outcomes, now, obj.metadata.namespace, drifted.records);
  const retry = next ? requeueAfterFailures(next, outcomes, deps.backoff) : undefined;
  if (next && facts.kind === 'active') reportTargets(obj, facts, next, deps);
  // The next drift check of every settled target, this reconcile's fresh deploys included (our
  // own status write does not come back as work, so nothing else would wake us for it).
  const driftNext = next && facts.kind === 'active' ? nextDriftCheckIn(obj, facts, next, now) : undefined;
  const requeueAfterMs = [p.requeueAfterMs, retry, drifted.nextInMs, driftNext].filter((x): x is number => x !== undefined).reduce<number | undefined>((a, b) => (a === undefined ? b : Math.min(a, b)), undefined);
  return { ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}), invocations: [...outcomes.values()].filter((o) => o.invoked).length, statusWritten };
}

/** Time until the soonest drift check among the settled targets of `next`. */
function nextDriftCheckIn(obj: CertificateDeploymentObject, facts: Extract<Facts, { kind: 'active' }>, next: DeploymentStatus, now: number): number | undefined {
  const settled = (next.targets ?? []).filter((t) => t.ready && t.fingerprint === facts.certificate.fingerprint);
  return planDrift({ uid: obj.metadata.uid, interval: facts.spec.verify?.interval, driftPolicy: 'Report', settled, now }).nextInMs;
}

/** Debug lines for what the plan decided and why (skips, backoffs, non-active states). */
function logDecisions(obj: CertificateDeploymentObject, facts: Facts, p: Plan, now: number, deps: ReconcilerDeps): void {
  if (!deps.log) return;
  const deployment = `${obj.metadata.namespace}/${obj.metadata.name}`;
  if (facts.kind !== 'active') {
    deps.log.debug({ deployment, state: facts.kind, ...('message' in facts ? { message: facts.message } : {}) }, 'nothing to deploy');
    return;
  }
  for (const { target, decision } of p.targets) {
    if (decision.action === 'skip') deps.log.debug({ deployment, target: target.name, why: decision.why }, 'skip: target holds this fingerprint');
    else if (decision.action === 'wait') deps.log.debug({ deployment, target: target.name, why: decision.why, until: new Date(now + decision.delayMs).toISOString() }, 'backing off');
    else if (decision.action === 'waitForWave') deps.log.debug({ deployment, target: target.name, why: decision.why, wave: decision.wave }, 'waiting for its rollout wave');
    else deps.log.debug({ deployment, target: target.name, why: decision.why }, 'deploying');
  }
}

/** Per-target series from the status just composed (what `kubectl get` would show). */
function reportTargets(obj: CertificateDeploymentObject, facts: Extract<Facts, { kind: 'active' }>, next: DeploymentStatus, deps: ReconcilerDeps): void {
  if (!deps.metrics.target) return;
  const seconds = (iso: string | undefined) => (iso ? Date.parse(iso) / 1000 : undefined);
  for (const t of next.targets ?? []) {
    const spec = facts.spec.targets.find((s) => s.name === t.name);
    const connector = spec ? [...deps.registry.keys()].find((k) => (spec as Readonly<Record<string, unknown>>)[k] !== undefined) ?? 'unknown' : 'unknown';
    const lastSuccessSeconds = seconds(t.deployedAt);
    const servedNotAfterSeconds = seconds(t.servedNotAfter);
    const drift = currentDrift(t);
    deps.metrics.target(obj.metadata.namespace, obj.metadata.name, t.name, connector, {
      ready: t.ready === true && t.fingerprint === facts.certificate.fingerprint,
      ...(drift ? { drifted: ACTIONABLE_VERDICTS.has(drift.verdict) } : {}),
      ...(lastSuccessSeconds !== undefined ? { lastSuccessSeconds } : {}),
      ...(servedNotAfterSeconds !== undefined ? { servedNotAfterSeconds } : {}),
    });
  }
  const r = next.rollout;
  deps.metrics.rollout?.(obj.metadata.namespace, obj.metadata.name, r ? { wave: r.wave, waves: r.waves, halted: r.phase === 'Halted' } : undefined);
}

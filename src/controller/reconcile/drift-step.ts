/**
 * The drift step of a reconcile, after the planned deploys and before the one status write:
 * re-verify the settled targets the plan made due, and under `driftPolicy: Repair` redeploy the
 * ones found Diverged, InstalledNotBound or Absent through the normal deploy path (so the
 * connector's own fingerprint skip rules apply and a repaired target is written once), then
 * check them again so status shows the verdict after the repair. `Unknown` is never repaired:
 * a stopped server cannot cause a redeploy storm.
 */
import type { TargetDrift } from '../../crds/drift-status.ts';
import type { TargetStatus } from '../../crds/status.ts';
import { driftIntervalMs } from '../drift/plan-drift.ts';
import { countRepair, runDriftChecks } from '../drift/run-drift.ts';
import { nextCheckAt } from '../drift/schedule.ts';
import { ACTIONABLE_VERDICTS } from '../drift/verdict.ts';
import type { CertificateDeploymentObject } from '../kube-types.ts';
import type { TargetOutcome } from '../pipeline/target-outcome.ts';
import { EventAction, EventReason } from '../reasons.ts';
import type { ReconcilerDeps } from '../reconciler-deps.ts';
import { runPlannedTargets, targetEnv } from './apply.ts';
import { gather, type Facts, type GatherDeps } from './gather.ts';
import type { Plan } from './plan.ts';

/** Checks after a repair before giving up on a clean verdict, and the pauses between them. */
const RECHECK_PAUSES_MS = [1_000, 2_000];

/**
 * The check right after a repair. A server that just reloaded may still answer a few handshakes
 * from its old workers (nginx drains them gracefully), so an actionable verdict is looked at
 * again after a short pause, twice at most, before status records it.
 */
async function recheck(input: Parameters<typeof runDriftChecks>[0], deps: ReconcilerDeps): Promise<Map<string, TargetDrift>> {
  const out = await runDriftChecks(input, deps);
  for (const pause of RECHECK_PAUSES_MS) {
    const again = [...out].filter(([, r]) => ACTIONABLE_VERDICTS.has(r.verdict)).map(([n]) => n);
    if (again.length === 0 || input.signal.aborted) break;
    await deps.clock.sleep(pause, input.signal).catch(() => undefined);
    for (const [name, r] of await runDriftChecks({ ...input, names: again }, deps)) out.set(name, r);
  }
  return out;
}

export interface DriftStepResult {
  /** The facts after the step (re-gathered with the Secret when a repair needed the key). */
  readonly facts: Facts;
  /** New drift records by target name, for the status write. */
  readonly records: ReadonlyMap<string, TargetDrift>;
  /** When the checked targets are due again. */
  readonly nextInMs?: number;
}

/** Runs the due checks and, under Repair, the repairs; adds repair outcomes to `outcomes`. */
export async function checkAndRepair(obj: CertificateDeploymentObject, facts: Facts, p: Plan, outcomes: Map<string, TargetOutcome>, now: number, deps: ReconcilerDeps, signal: AbortSignal, gatherDeps: GatherDeps): Promise<DriftStepResult> {
  const due = p.drift?.due ?? [];
  if (facts.kind !== 'active' || due.length === 0) return { facts, records: new Map() };
  const nowIso = new Date(now).toISOString();
  const env = targetEnv(obj, deps, p.access);
  const records = await runDriftChecks({ obj, names: due, targets: facts.spec.targets, env, nowIso, signal }, deps);
  const intervalMs = driftIntervalMs(facts.spec.verify?.interval);
  const nextInMs = Math.min(...due.map((n) => nextCheckAt(now, intervalMs, `${obj.metadata.uid}/${n}`) - now));
  const result = { records, ...(Number.isFinite(nextInMs) ? { nextInMs } : {}) };

  const repairs = facts.spec.driftPolicy === 'Repair' ? [...records].filter(([, r]) => ACTIONABLE_VERDICTS.has(r.verdict)).map(([n]) => n) : [];
  if (repairs.length === 0) return { facts, ...result };
  // The repair deploys the key: read the Secret if gather trusted status instead.
  const full = facts.deployment ? facts : await gather(obj, { ...gatherDeps, readSecret: true });
  if (full.kind !== 'active' || !full.deployment) return { facts: full, ...result };

  const repairPlan: Plan = { ...p, targets: p.targets.filter((t) => repairs.includes(t.target.name)).map((t) => ({ ...t, decision: { action: 'deploy', why: 'drift repair' } })) };
  const repaired = await runPlannedTargets(obj, full, repairPlan, deps, signal);
  const previous = new Map<string, TargetStatus>((obj.status?.targets ?? []).map((t) => {
    const o = repaired.get(t.name);
    const drift = records.get(t.name);
    return [t.name, { ...t, ...(o?.remoteId ? { remoteId: o.remoteId } : {}), ...(drift ? { drift } : {}) }];
  }));
  const healthy = [...repaired].filter(([, o]) => o.ok).map(([n]) => n);
  const rechecked = await recheck({ obj, names: healthy, targets: full.spec.targets, env, nowIso, signal, previous }, deps);
  for (const [name, o] of repaired) {
    outcomes.set(name, o);
    const found = records.get(name)!;
    const after = rechecked.get(name) ?? found;
    records.set(name, countRepair(after, nowIso));
    const target = full.spec.targets.find((t) => t.name === name) as Readonly<Record<string, unknown>> | undefined;
    const connector = [...deps.registry.keys()].find((k) => target?.[k] !== undefined) ?? 'unknown';
    deps.metrics.driftRepair?.(connector, o.ok ? 'success' : o.reason);
    if (o.ok) deps.events.event(obj, 'Normal', EventReason.DriftRepaired, EventAction.Repair, `${name}: redeployed after ${found.verdict} (${found.message}); now ${after.verdict}`);
    else deps.events.event(obj, 'Warning', EventReason.DriftRepairFailed, EventAction.Repair, `${name}: redeploy after ${found.verdict} failed: ${o.message}`);
    deps.log?.info({ deployment: `${obj.metadata.namespace}/${obj.metadata.name}`, target: name, connector, found: found.verdict, after: after.verdict, ok: o.ok }, 'drift repair');
  }
  return { facts: full, ...result };
}

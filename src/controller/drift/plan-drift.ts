/**
 * Which Ready targets a reconcile re-verifies now, and when the next one is due: pure, from the
 * spec, the status and the time. A target is checked only while it is settled (Ready on the
 * current fingerprint and its spec unchanged — the plan's `skip`), on its own slot
 * (schedule.ts), or at once when `driftPolicy: Repair` meets an actionable verdict that no
 * repair has answered yet (the policy was just switched to Repair).
 */
import { parseDuration } from '../../core/duration.ts';
import type { TargetStatus } from '../../crds/status.ts';
import { DEFAULT_VERIFY_INTERVAL } from '../../crds/spec.ts';
import { nextCheckAt } from './schedule.ts';
import { ACTIONABLE_VERDICTS } from './verdict.ts';

export type DriftPolicy = 'Report' | 'Repair';

export interface DriftPlanInput {
  /** The deployment's uid: part of each target's schedule key. */
  readonly uid: string;
  /** `spec.verify.interval`; the default when absent. */
  readonly interval: string | undefined;
  readonly driftPolicy: DriftPolicy;
  /** Targets the plan skips (settled), with their status entries. */
  readonly settled: readonly TargetStatus[];
  readonly now: number;
}

export interface DriftPlan {
  /** Names of targets to check in this reconcile. */
  readonly due: readonly string[];
  /** Time until the soonest later check, when any. */
  readonly nextInMs?: number;
}

/** The interval in ms (0: checks off). */
export function driftIntervalMs(interval: string | undefined): number {
  return parseDuration(interval ?? DEFAULT_VERIFY_INTERVAL) ?? parseDuration(DEFAULT_VERIFY_INTERVAL)!;
}

/** The last time this target was known good or checked: the base of its next slot. */
function lastLook(t: TargetStatus): number | undefined {
  const drift = t.drift && t.drift.fingerprint === t.fingerprint ? t.drift.checkedAt : undefined;
  const times = [drift, t.verifiedAt, t.deployedAt, t.lastAttemptAt].filter((x): x is string => x !== undefined).map(Date.parse).filter((x) => !Number.isNaN(x));
  return times.length === 0 ? undefined : Math.max(...times);
}

/** An actionable verdict on the current fingerprint that no repair has answered yet. */
function awaitsRepair(t: TargetStatus): boolean {
  const d = t.drift;
  if (!d || d.fingerprint !== t.fingerprint || !ACTIONABLE_VERDICTS.has(d.verdict)) return false;
  return d.lastRepairAt === undefined || Date.parse(d.lastRepairAt) < Date.parse(d.checkedAt);
}

/** Decides the drift checks of one reconcile. */
export function planDrift(input: DriftPlanInput): DriftPlan {
  const intervalMs = driftIntervalMs(input.interval);
  if (intervalMs === 0) return { due: [] };
  const due: string[] = [];
  let next: number | undefined;
  for (const t of input.settled) {
    if (input.driftPolicy === 'Repair' && awaitsRepair(t)) {
      due.push(t.name);
      continue;
    }
    const at = nextCheckAt(lastLook(t) ?? input.now, intervalMs, `${input.uid}/${t.name}`);
    if (at <= input.now) due.push(t.name);
    else next = Math.min(next ?? Infinity, at - input.now);
  }
  return { due, ...(next !== undefined ? { nextInMs: next } : {}) };
}

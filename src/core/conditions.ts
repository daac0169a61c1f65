/**
 * Pure helpers for `metav1.Condition` lists with apimachinery's `meta.SetStatusCondition`
 * semantics: conditions are keyed by `type`, `lastTransitionTime` moves only when `status`
 * changes, and callers learn whether anything changed so they can skip no-op status writes.
 * Inputs are validated here, where the mistake is made, instead of surfacing later as a 422
 * from the API server.
 */

/** Condition status values (api-conventions: absence means Unknown). */
export const ConditionStatus = {
  True: 'True',
  False: 'False',
  Unknown: 'Unknown',
} as const;
export type ConditionStatus = (typeof ConditionStatus)[keyof typeof ConditionStatus];

/** A `metav1.Condition` as stored in `.status.conditions`. */
export interface Condition {
  type: string;
  status: ConditionStatus;
  observedGeneration?: number;
  /** RFC 3339, second precision (metav1.Time). */
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** What a controller states about one condition; the timestamp is managed for it. */
export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  observedGeneration?: number;
}

/** Longest message metav1.Condition accepts. */
export const MAX_CONDITION_MESSAGE = 32768;
const REASON_RE = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;
const TYPE_RE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/;

/** metav1.Time wire format: RFC 3339 in UTC without fractional seconds. */
export function formatConditionTime(now: Date | number): string {
  return new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function validate(input: ConditionInput): void {
  if (input.type.length > 316 || !TYPE_RE.test(input.type)) {
    throw new TypeError(`condition type ${JSON.stringify(input.type)} is not a valid metav1.Condition type (CamelCase, optionally prefixed by a DNS subdomain and "/", at most 316 chars)`);
  }
  if (!Object.values(ConditionStatus).includes(input.status)) {
    throw new TypeError(`condition ${input.type}: status ${JSON.stringify(input.status)} must be True, False or Unknown`);
  }
  if (input.reason.length > 1024 || !REASON_RE.test(input.reason)) {
    throw new TypeError(`condition ${input.type}: reason ${JSON.stringify(input.reason)} must be 1-1024 chars matching ${REASON_RE.source}`);
  }
  if (input.observedGeneration !== undefined && (!Number.isSafeInteger(input.observedGeneration) || input.observedGeneration < 0)) {
    throw new TypeError(`condition ${input.type}: observedGeneration must be a non-negative integer, got ${input.observedGeneration}`);
  }
}

function truncateMessage(message: string): string {
  if (message.length <= MAX_CONDITION_MESSAGE) return message;
  const suffix = '... (truncated)';
  return message.slice(0, MAX_CONDITION_MESSAGE - suffix.length) + suffix;
}

/**
 * Returns `list` with `input` applied and whether anything changed. A new condition, or one
 * whose status changed, gets `lastTransitionTime = now`; otherwise the previous time is kept.
 * Overlong messages are truncated rather than rejected, because they usually quote a target's
 * error text. The input list is not modified.
 */
export function setCondition(list: readonly Condition[] | undefined, input: ConditionInput, now: Date | number): { conditions: Condition[]; changed: boolean } {
  validate(input);
  const conditions = [...(list ?? [])];
  const message = truncateMessage(input.message);
  const i = conditions.findIndex((c) => c.type === input.type);
  const existing = i >= 0 ? conditions[i] : undefined;
  const next: Condition = {
    type: input.type,
    status: input.status,
    ...(input.observedGeneration !== undefined ? { observedGeneration: input.observedGeneration } : {}),
    lastTransitionTime: existing && existing.status === input.status ? existing.lastTransitionTime : formatConditionTime(now),
    reason: input.reason,
    message,
  };
  if (existing === undefined) {
    conditions.push(next);
    return { conditions, changed: true };
  }
  const changed =
    existing.status !== next.status ||
    existing.reason !== next.reason ||
    existing.message !== next.message ||
    existing.observedGeneration !== next.observedGeneration ||
    existing.lastTransitionTime !== next.lastTransitionTime;
  conditions[i] = changed ? next : existing;
  return { conditions, changed };
}

/** Returns `list` without the condition of `type`, and whether one was removed. */
export function removeCondition(list: readonly Condition[] | undefined, type: string): { conditions: Condition[]; changed: boolean } {
  const conditions = (list ?? []).filter((c) => c.type !== type);
  return { conditions, changed: conditions.length !== (list ?? []).length };
}

/** The condition of `type`, if present. */
export function getCondition(list: readonly Condition[] | undefined, type: string): Condition | undefined {
  return list?.find((c) => c.type === type);
}

/**
 * True when the condition is present with status True — and, if `generation` is given, was
 * observed for at least that generation (a stale True about an old spec does not count).
 */
export function isTrue(list: readonly Condition[] | undefined, type: string, generation?: number): boolean {
  return hasStatus(list, type, ConditionStatus.True, generation);
}

/** Like {@link isTrue} for status False. Absent is Unknown, so neither True nor False. */
export function isFalse(list: readonly Condition[] | undefined, type: string, generation?: number): boolean {
  return hasStatus(list, type, ConditionStatus.False, generation);
}

function hasStatus(list: readonly Condition[] | undefined, type: string, status: ConditionStatus, generation?: number): boolean {
  const c = getCondition(list, type);
  if (c === undefined || c.status !== status) return false;
  return generation === undefined || (c.observedGeneration ?? -1) >= generation;
}

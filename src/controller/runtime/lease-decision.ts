/**
 * The pure core of leader election, ported from client-go `tools/leaderelection`
 * (`tryAcquireOrRenew`). It never trusts the timestamps written in the Lease: a record is
 * considered valid for `leaseDurationSeconds` after the moment *this process* first saw it,
 * so candidates with skewed clocks still agree (only clock *rate* skew matters).
 */

/** The leader-election fields of a `coordination.k8s.io/v1` Lease spec, times in epoch ms. */
export interface LeaderRecord {
  /** '' when nobody holds the lease (e.g. after a release). */
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTimeMs?: number;
  renewTimeMs?: number;
  leaderTransitions: number;
}

/** A record and the local time at which it was first observed in this exact form. */
export interface LeaseObservation {
  record: LeaderRecord;
  observedAtMs: number;
}

/** What a candidate should do after reading the Lease. */
export type LeaseDecision =
  /** Another holder's lease is still valid: retry after `retryPeriod`. */
  | { kind: 'wait'; holder: string; expiresAtMs: number }
  /** Write `record` (optimistically, at the read resourceVersion); `transition` when leadership changes hands. */
  | { kind: 'write'; record: LeaderRecord; transition: boolean };

/** Field-by-field equality; stands in for client-go's comparison of the raw record bytes. */
export function sameRecord(a: LeaderRecord, b: LeaderRecord): boolean {
  return (
    a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.acquireTimeMs === b.acquireTimeMs &&
    a.renewTimeMs === b.renewTimeMs &&
    a.leaderTransitions === b.leaderTransitions
  );
}

/** Keeps the previous observation time while the record is unchanged; restarts it on any change. */
export function observe(prev: LeaseObservation | undefined, record: LeaderRecord, nowMs: number): LeaseObservation {
  if (prev !== undefined && sameRecord(prev.record, record)) return prev;
  return { record, observedAtMs: nowMs };
}

/** Local instant after which the observed holder's lease is expired. */
export function expiresAt(obs: LeaseObservation): number {
  return obs.observedAtMs + obs.record.leaseDurationSeconds * 1000;
}

/** True while the observed lease is unexpired from this process's point of view. */
export function isLeaseValid(obs: LeaseObservation, nowMs: number): boolean {
  return nowMs < expiresAt(obs);
}

/**
 * The fast path of client-go: when we hold a lease that is still valid locally, renew it
 * directly from the last write without reading first.
 */
export function canRenewWithoutRead(obs: LeaseObservation | undefined, identity: string, nowMs: number): boolean {
  return obs !== undefined && obs.record.holderIdentity === identity && isLeaseValid(obs, nowMs);
}

/**
 * Decides, given what we just read (already folded into `obs`), whether to take/renew the lease.
 * Acquire when it is free (empty holder), expired, or ours; keep `acquireTime` and the transition
 * count when renewing, bump the count when taking over.
 */
export function decideLease(obs: LeaseObservation, identity: string, nowMs: number, leaseDurationSeconds: number): LeaseDecision {
  const held = obs.record.holderIdentity;
  if (held !== '' && held !== identity && isLeaseValid(obs, nowMs)) {
    return { kind: 'wait', holder: held, expiresAtMs: expiresAt(obs) };
  }
  const ours = held === identity;
  return {
    kind: 'write',
    transition: !ours,
    record: {
      holderIdentity: identity,
      leaseDurationSeconds,
      acquireTimeMs: ours ? (obs.record.acquireTimeMs ?? nowMs) : nowMs,
      renewTimeMs: nowMs,
      leaderTransitions: ours ? obs.record.leaderTransitions : obs.record.leaderTransitions + 1,
    },
  };
}

/** The record a first candidate creates when the Lease does not exist yet. */
export function initialRecord(identity: string, nowMs: number, leaseDurationSeconds: number): LeaderRecord {
  return { holderIdentity: identity, leaseDurationSeconds, acquireTimeMs: nowMs, renewTimeMs: nowMs, leaderTransitions: 0 };
}

/**
 * client-go's release (ReleaseOnCancel): empty holder and a 1 s duration, so the next candidate
 * takes over on its next retry instead of waiting out a full lease duration.
 */
export function releasedRecord(obs: LeaseObservation, nowMs: number): LeaderRecord {
  return { holderIdentity: '', leaseDurationSeconds: 1, acquireTimeMs: nowMs, renewTimeMs: nowMs, leaderTransitions: obs.record.leaderTransitions };
}

/** Leader-election timings in ms. */
export interface LeaderElectionTimings {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

/** client-go's jitter factor for the acquire loop; also bounds renewDeadline from below. */
export const JITTER_FACTOR = 1.2;

/**
 * client-go's `NewLeaderElector` checks: leaseDuration > renewDeadline > retryPeriod × 1.2,
 * leaseDuration a whole number of seconds ≥ 1 (the Lease field is in seconds). Returns the
 * problem, or undefined when the timings are usable.
 */
export function timingsProblem(t: LeaderElectionTimings): string | undefined {
  if (!(t.retryPeriodMs > 0)) return `retryPeriod must be > 0, got ${t.retryPeriodMs} ms`;
  if (!(t.leaseDurationMs >= 1000) || t.leaseDurationMs % 1000 !== 0) return `leaseDuration must be a whole number of seconds >= 1 s, got ${t.leaseDurationMs} ms`;
  if (!(t.leaseDurationMs > t.renewDeadlineMs)) return `leaseDuration (${t.leaseDurationMs} ms) must be greater than renewDeadline (${t.renewDeadlineMs} ms)`;
  if (!(t.renewDeadlineMs > JITTER_FACTOR * t.retryPeriodMs)) return `renewDeadline (${t.renewDeadlineMs} ms) must be greater than retryPeriod × ${JITTER_FACTOR} (${JITTER_FACTOR * t.retryPeriodMs} ms)`;
  return undefined;
}

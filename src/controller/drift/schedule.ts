/**
 * When a Ready target is checked again, as a pure function. Each target gets a fixed phase
 * within the interval, derived from its deployment's uid and its name by a hash, and is checked
 * at the slots `phase + k·interval`. So 1,000 deployments created (or restarted) together spread
 * their checks evenly over the interval, the same target always lands on the same slot (no
 * drift of the schedule across restarts), and no random source has to be injected into tests.
 */
import { createHash } from 'node:crypto';

/** A stable fraction in [0, 1) for `key` (the first 48 bits of SHA-256). */
export function driftPhase(key: string): number {
  return Number.parseInt(createHash('sha256').update(key).digest('hex').slice(0, 12), 16) / 2 ** 48;
}

/**
 * The first slot of `key` at least half an interval after `afterMs` (the last check, or the
 * deploy that made the target Ready): after a check on its slot that is exactly one interval
 * later; after a deploy it is between half and one and a half intervals later.
 */
export function nextCheckAt(afterMs: number, intervalMs: number, key: string): number {
  const phase = driftPhase(key) * intervalMs;
  const earliest = afterMs + intervalMs / 2;
  return phase + Math.ceil((earliest - phase) / intervalMs) * intervalMs;
}

/**
 * The Ready condition from the per-target entries: True only when every target has the
 * current certificate (and serves it where verification is asked). When not, the reason is
 * the most serious target reason, and the message names the targets that are not ready.
 */
import type { TargetStatus } from '../crds/status.ts';
import { Reason } from './reasons.ts';

/** Most serious first: what a human must act on outranks what will heal by itself. */
const SEVERITY: readonly string[] = [
  Reason.GrantDenied, Reason.InvalidSpec, Reason.DeployFailed, Reason.VerifyFailed, Reason.TargetUnavailable, Reason.Progressing,
];

export interface ReadySummary {
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
}

const MAX = 2048;

/** Summarises `targets` (in spec order) against the current fingerprint. */
export function summarizeReady(targetNames: readonly string[], targets: readonly TargetStatus[], fingerprint: string): ReadySummary {
  const byName = new Map(targets.map((t) => [t.name, t]));
  const notReady: { name: string; reason: string; message: string }[] = [];
  for (const name of targetNames) {
    const t = byName.get(name);
    if (t?.ready && t.fingerprint === fingerprint) continue;
    notReady.push({ name, reason: t?.reason ?? Reason.Progressing, message: t?.message ?? 'not deployed yet' });
  }
  if (notReady.length === 0) {
    return { status: 'True', reason: Reason.Deployed, message: `${targetNames.length} target(s) hold ${fingerprint.slice(0, 12)}…` };
  }
  const rank = (r: string) => (SEVERITY.indexOf(r) === -1 ? SEVERITY.length : SEVERITY.indexOf(r));
  const worst = notReady.reduce((a, b) => (rank(b.reason) < rank(a.reason) ? b : a));
  let message = notReady.map((t) => `${t.name}: ${t.message}`).join('; ');
  if (message.length > MAX) message = `${message.slice(0, MAX - 1)}…`;
  return { status: 'False', reason: worst.reason, message };
}

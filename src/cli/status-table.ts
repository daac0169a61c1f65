/**
 * `kubectl certdeploy status NAME`: a CertificateDeployment's status as a per-target table, so
 * the on-call engineer sees which target fails and why without reading YAML. Pure: object in,
 * text out.
 */
import { renderPlans, type PlanView } from './plan-text.ts';

/** The fields of a CertificateDeployment the table reads (all optional: status may be empty). */
export interface DeploymentView {
  metadata: { name: string; namespace?: string; generation?: number };
  spec?: { secretRef?: { name?: string }; targets?: Array<Record<string, unknown> & { name: string }>; suspend?: boolean; mode?: string };
  status?: {
    observedGeneration?: number;
    fingerprint?: string;
    notAfter?: string;
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
    rollout?: { phase: string; wave: number; waves: number; pending?: string[]; pausedUntil?: string; haltedBy?: string[] };
    targets?: Array<{
      name: string; ready?: boolean; fingerprint?: string; deployedAt?: string; verifiedAt?: string; lastAttemptAt?: string;
      attempts?: number; reason?: string; message?: string; servedNotAfter?: string; plan?: PlanView;
    }>;
  };
}

const short = (fp: string | undefined) => (fp ? fp.slice(0, 12) : '-');

/** The connector block of a target: its one key besides the common ones. */
function connectorOf(target: Record<string, unknown>): string {
  return Object.keys(target).find((k) => !['name', 'verify'].includes(k)) ?? '-';
}

/** Left-aligned columns separated by three spaces (kubectl's look). */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('   ').trimEnd()).join('\n');
}

/** spec.rollout at a glance: phase, wave, who halted it, when the pause ends, how many wait. */
function rolloutLine(r: NonNullable<NonNullable<DeploymentView['status']>['rollout']>): string {
  const parts = [`${r.phase}, wave ${r.wave}/${r.waves}`];
  if (r.haltedBy?.length) parts.push(`halted by ${r.haltedBy.join(', ')}`);
  if (r.pausedUntil) parts.push(`paused until ${r.pausedUntil}`);
  if (r.pending?.length) parts.push(`${r.pending.length} target(s) wait for later waves`);
  return parts.join('; ');
}

/** Header lines plus one row per target in spec order (targets without status show `Unknown`). */
export function renderStatus(d: DeploymentView): string {
  const ready = d.status?.conditions?.find((c) => c.type === 'Ready');
  const stale = d.metadata.generation !== undefined && d.status?.observedGeneration !== undefined && d.status.observedGeneration < d.metadata.generation;
  const head = [
    `Name:         ${d.metadata.namespace ? `${d.metadata.namespace}/` : ''}${d.metadata.name}`,
    `Secret:       ${d.spec?.secretRef?.name ?? '-'}`,
    `Ready:        ${ready ? `${ready.status}${ready.reason ? ` (${ready.reason})` : ''}` : 'Unknown (not reconciled yet)'}${stale ? ' [status is for an older generation]' : ''}`,
    ...(ready?.message ? [`Message:      ${ready.message}`] : []),
    `Fingerprint:  ${d.status?.fingerprint ?? '-'}`,
    `Not After:    ${d.status?.notAfter ?? '-'}`,
    ...(d.status?.rollout ? [`Rollout:      ${rolloutLine(d.status.rollout)}`] : []),
    ...(d.spec?.suspend ? ['Suspended:    true'] : []),
    '',
  ];
  const byName = new Map((d.status?.targets ?? []).map((t) => [t.name, t]));
  const rows: string[][] = [['TARGET', 'CONNECTOR', 'READY', 'REASON', 'FINGERPRINT', 'DEPLOYED', 'VERIFIED', 'SERVED NOT AFTER', 'ATTEMPTS', 'MESSAGE']];
  for (const t of d.spec?.targets ?? []) {
    const s = byName.get(t.name);
    rows.push([
      t.name, connectorOf(t), s?.ready === undefined ? 'Unknown' : s.ready ? 'True' : 'False', s?.reason ?? '-', short(s?.fingerprint),
      s?.deployedAt ?? '-', s?.verifiedAt ?? '-', s?.servedNotAfter ?? '-', String(s?.attempts ?? 0), (s?.message ?? '').replace(/\s+/g, ' ') || '-',
    ]);
  }
  const plans = renderPlans(d.spec?.mode, (d.spec?.targets ?? []).map((t) => ({ name: t.name, ...(byName.get(t.name)?.plan ? { plan: byName.get(t.name)!.plan! } : {}) })), d.status?.fingerprint);
  return `${head.join('\n')}\n${formatTable(rows)}\n${plans}`;
}

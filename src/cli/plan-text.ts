/**
 * The plan section of `kubectl certdeploy status`: for each target in `mode: Plan`, what a
 * deploy would do (status.targets[].plan), one action a line, and what the plan was computed
 * for — so an operator can read the plan before switching the deployment back to Apply. Pure.
 */
import { describeAction, type PlanAction } from '@cert-deployer/connector-sdk';

/** A target's plan as status stores it. */
export interface PlanView {
  fingerprint?: string;
  specHash?: string;
  plannedAt?: string;
  actions?: Array<Record<string, unknown> & { kind: string }>;
}

/** Lines for the plans of `targets` (spec order); empty when no target has one. */
export function renderPlans(mode: string | undefined, targets: ReadonlyArray<{ name: string; plan?: PlanView }>, currentFingerprint: string | undefined): string {
  const planned = targets.filter((t) => t.plan !== undefined);
  if (planned.length === 0) return mode === 'Plan' ? '\nMode:         Plan (no plan yet)\n' : '';
  const lines = ['', `Mode:         ${mode ?? 'Apply'}${mode === 'Plan' ? '' : ' (plans below are from the last Plan; the next deploy replaces them)'}`];
  for (const t of planned) {
    const p = t.plan!;
    const stale = currentFingerprint !== undefined && p.fingerprint !== currentFingerprint ? ' [stale: the Secret changed since]' : '';
    lines.push(`Plan for ${t.name} (certificate ${(p.fingerprint ?? '-').slice(0, 12)}, spec ${(p.specHash ?? '-').slice(0, 12)}, at ${p.plannedAt ?? '-'})${stale}:`);
    const actions = p.actions ?? [];
    if (actions.length === 0) lines.push('  nothing to do: the target already holds this certificate');
    actions.forEach((a, i) => lines.push(`  ${i + 1}. ${describeAction(a as unknown as PlanAction)}`));
  }
  return `${lines.join('\n')}\n`;
}

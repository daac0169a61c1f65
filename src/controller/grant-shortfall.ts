/**
 * What the operator policy takes away from a connector's declared grant. The controller
 * refuses to start a deploy whose grant was narrowed (GrantDenied before any I/O), so a
 * policy that allows the certificate path but not the key path can never leave half a
 * deployment on a target.
 */
import { effectiveGrant } from '@cert-deployer/connector-sdk/sandbox';
import type { ArgTemplate, Grant, Policy } from '@cert-deployer/connector-sdk/sandbox';

const argText = (a: ArgTemplate) => (typeof a === 'string' ? a : `{${a.placeholder}}`);

/** Human-readable items of `declared` the policy does not allow in full; empty when none. */
export function grantShortfall(declared: Grant, policy: Policy): string[] {
  const eff = effectiveGrant(declared, policy);
  const missing: string[] = [];
  for (const r of declared.write) if (!eff.write.includes(r)) missing.push(`write ${r}`);
  for (const r of declared.read) if (!eff.read.includes(r) && !eff.write.includes(r)) missing.push(`read ${r}`);
  const dial = new Set(eff.dial.map((d) => d.toLowerCase()));
  for (const d of declared.dial) if (!dial.has(d.toLowerCase())) missing.push(`dial ${d}`);
  const exec = new Set(eff.exec.map((e) => e.argv.map(argText).join('\u0000')));
  for (const e of declared.exec) {
    const key = e.argv.map(argText).join('\u0000');
    if (!exec.has(key)) missing.push(`exec [${e.argv.map(argText).join(' ')}]`);
  }
  return missing;
}

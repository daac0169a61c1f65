/**
 * The effective grant: what a connector declared, narrowed by the operator policy. Pure and
 * monotone: the result never allows anything the declaration or the policy does not, which
 * the property tests check. Malformed entries on either side are dropped (fail closed).
 */
import { canonicalDialAddress } from './check/host-check.ts';
import { isNormalAbsolutePath, isValidExecRule } from './check/argv-check.ts';
import { isPathWithin, normalOrNull } from './check/path-check.ts';
import type { ArgTemplate, ExecRule, Grant, Policy } from './grant.ts';

/** Policy placeholders are written `{name}` and match a declared placeholder of that name. */
const POLICY_PLACEHOLDER = /^\{([^{}]+)\}$/;

function normalRoots(roots: readonly string[]): string[] {
  const out: string[] = [];
  for (const root of roots) {
    const n = normalOrNull(root);
    if (n !== null) out.push(n);
  }
  return out;
}

/** Removes duplicates and roots already covered by another root in the list. */
function minimalRoots(roots: readonly string[]): string[] {
  const unique = [...new Set(roots)];
  return unique.filter((r) => !unique.some((other) => other !== r && isPathWithin(other, r)));
}

/**
 * Intersects two sets of roots: of two nested roots the deeper one survives; disjoint roots
 * vanish. `policy === undefined` means the policy does not restrict paths.
 */
export function intersectRoots(declared: readonly string[], policy: readonly string[] | undefined): string[] {
  const decl = normalRoots(declared);
  if (policy === undefined) return minimalRoots(decl);
  const pol = normalRoots(policy);
  const out: string[] = [];
  for (const d of decl) {
    for (const p of pol) {
      if (isPathWithin(p, d)) out.push(d);
      else if (isPathWithin(d, p)) out.push(p);
    }
  }
  return minimalRoots(out);
}

/** Exact intersection of dial addresses in canonical spelling. */
export function intersectHosts(declared: readonly string[], policy: readonly string[] | undefined): string[] {
  const decl = declared.map(canonicalDialAddress).filter((a): a is string => a !== null);
  if (policy === undefined) return [...new Set(decl)];
  const pol = new Set(policy.map(canonicalDialAddress).filter((a): a is string => a !== null));
  return [...new Set(decl.filter((a) => pol.has(a)))];
}

function templateMatchesPolicy(template: ArgTemplate, element: string): boolean {
  const placeholder = POLICY_PLACEHOLDER.exec(element);
  if (placeholder !== null) return typeof template !== 'string' && template.placeholder === placeholder[1];
  return typeof template === 'string' && template === element;
}

/** True when a policy command admits a declared rule: same length, element by element. */
export function policyCommandAdmits(command: readonly string[], rule: ExecRule): boolean {
  return command.length === rule.argv.length && rule.argv.every((t, i) => templateMatchesPolicy(t, command[i] as string));
}

/** A policy command counts only when its program is an absolute path (as for declared rules). */
export function isValidPolicyCommand(command: unknown): command is readonly string[] {
  return Array.isArray(command) && command.length > 0 && command.every((a) => typeof a === 'string') && isNormalAbsolutePath(command[0] as string);
}

/**
 * Keeps the declared rules that appear among the policy commands. Declared rules and policy
 * commands whose program is not an absolute path are dropped (fail closed).
 */
export function intersectExec(declared: readonly ExecRule[], commands: readonly (readonly string[])[] | undefined): ExecRule[] {
  const valid = declared.filter(isValidExecRule);
  if (commands === undefined) return valid;
  const allowed = commands.filter(isValidPolicyCommand);
  return valid.filter((rule) => allowed.some((c) => policyCommandAdmits(c, rule)));
}

/**
 * Declaration ∩ policy. The controller computes this once per deploy and hands it to
 * `createSandbox`; the sandbox enforces only this result.
 */
export function effectiveGrant(declaration: Grant, policy: Policy = {}): Grant {
  return {
    read: intersectRoots(declaration.read, policy.pathRoots),
    write: intersectRoots(declaration.write, policy.pathRoots),
    dial: intersectHosts(declaration.dial, policy.hosts),
    exec: intersectExec(declaration.exec, policy.commands),
  };
}

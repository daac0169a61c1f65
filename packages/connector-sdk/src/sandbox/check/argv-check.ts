/**
 * Pure exec decisions. A grant lists exact argv vectors; a concrete argv matches a rule only
 * element by element, with the same length. Literals must be equal; placeholders admit a
 * canonical path inside the file roots (`path`) or a token matching an anchored pattern that
 * cannot start with `-` (`token`, so a value can never become an option). There is no shell,
 * no globbing and no prefix matching: `nginx -s reload` never admits `nginx -s reload -c x`.
 */
import type { ArgTemplate, ExecRule } from '../grant.ts';
import { normalizeAbsolutePath } from './path-check.ts';

/** Default token alphabet: names, versions, host:port, key=value; no spaces, quotes or globs. */
export const DEFAULT_TOKEN_PATTERN = '^[A-Za-z0-9._:@/=-]+$';

/**
 * Decides `path` placeholders. The sandbox resolves candidate args on the host first (an async
 * step) and answers here from that result, which keeps this module pure.
 */
export interface ArgvMatchContext {
  /** True when `arg` is a canonical path inside the read or write roots. */
  isPathAllowed(arg: string): boolean;
}

const compiled = new Map<string, RegExp | null>();

/** Compiles a token pattern anchored at both ends; `null` (never matches) when it is invalid. */
function tokenRegExp(pattern: string): RegExp | null {
  let re = compiled.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(`^(?:${pattern})$`);
    } catch {
      re = null;
    }
    compiled.set(pattern, re);
  }
  return re;
}

/** True when `arg` is already a lexically normal absolute path (what the program will see). */
export function isNormalAbsolutePath(arg: string): boolean {
  const n = normalizeAbsolutePath(arg);
  return n.ok && n.path === arg;
}

/** True when a token value fits a `token` placeholder. */
export function isTokenAllowed(arg: string, pattern: string = DEFAULT_TOKEN_PATTERN): boolean {
  if (arg.length === 0 || arg.startsWith('-') || arg.includes('\0')) return false;
  return tokenRegExp(pattern)?.test(arg) === true;
}

/** True when one concrete argument fits one template element. */
export function matchArgTemplate(template: ArgTemplate, arg: string, ctx: ArgvMatchContext): boolean {
  if (typeof arg !== 'string' || arg.includes('\0')) return false;
  if (typeof template === 'string') return template === arg;
  if (template.kind === 'path') return isNormalAbsolutePath(arg) && ctx.isPathAllowed(arg);
  if (template.kind === 'token') return isTokenAllowed(arg, template.pattern);
  return false;
}

/**
 * A rule is usable only when its program is a literal absolute path: a bare name would be
 * resolved through a PATH, so the binary that runs would depend on an environment and not
 * on the rule an administrator read and approved.
 */
export function isValidExecRule(rule: ExecRule): boolean {
  const program = rule.argv[0];
  return typeof program === 'string' && isNormalAbsolutePath(program) && program !== '/';
}

/** True when `argv` matches `rule` element by element with the same length. */
export function matchExecRule(rule: ExecRule, argv: readonly string[], ctx: ArgvMatchContext): boolean {
  if (!isValidExecRule(rule) || rule.argv.length !== argv.length) return false;
  return rule.argv.every((template, i) => matchArgTemplate(template, argv[i] as string, ctx));
}

/** The first rule that admits `argv`, or `undefined`. */
export function findExecRule(rules: readonly ExecRule[], argv: readonly string[], ctx: ArgvMatchContext): ExecRule | undefined {
  return rules.find((rule) => matchExecRule(rule, argv, ctx));
}

/**
 * The concrete args that sit at a `path` placeholder of some same-length rule whose literals
 * all match: exactly the args the sandbox has to canonicalise before deciding.
 */
export function pathCandidates(rules: readonly ExecRule[], argv: readonly string[]): string[] {
  const out = new Set<string>();
  for (const rule of rules) {
    if (!isValidExecRule(rule) || rule.argv.length !== argv.length) continue;
    const literalsMatch = rule.argv.every((t, i) => typeof t !== 'string' || t === argv[i]);
    if (!literalsMatch) continue;
    rule.argv.forEach((t, i) => {
      const arg = argv[i];
      if (typeof t !== 'string' && t.kind === 'path' && typeof arg === 'string' && isNormalAbsolutePath(arg)) out.add(arg);
    });
  }
  return [...out];
}

/** A printable, single-line rendering of an argv for messages (JSON quoting, no shell quoting). */
export function describeArgv(argv: readonly unknown[]): string {
  return argv.map((a) => JSON.stringify(a)).join(' ');
}

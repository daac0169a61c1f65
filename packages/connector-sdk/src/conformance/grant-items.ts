/**
 * Pure grant arithmetic for the grant-honesty and shape cases: the single items of a grant,
 * the grant with one item removed, and whether an exec rule smuggles in a shell.
 */
import type { ArgTemplate, ExecRule, Grant } from '../sandbox/grant.ts';

export interface GrantItem {
  readonly kind: 'read' | 'write' | 'dial' | 'exec';
  readonly index: number;
  /** For messages: `write /etc/nginx/tls/site.crt`, `exec ["nginx","-s","reload"]`. */
  readonly label: string;
}

const argText = (a: ArgTemplate): string => (typeof a === 'string' ? a : `{${a.placeholder}}`);

/** Every single item of `grant`, in a stable order. */
export function grantItems(grant: Grant): GrantItem[] {
  return [
    ...grant.read.map((r, index) => ({ kind: 'read' as const, index, label: `read ${r}` })),
    ...grant.write.map((r, index) => ({ kind: 'write' as const, index, label: `write ${r}` })),
    ...grant.dial.map((d, index) => ({ kind: 'dial' as const, index, label: `dial ${d}` })),
    ...grant.exec.map((e, index) => ({ kind: 'exec' as const, index, label: `exec ${JSON.stringify(e.argv.map(argText))}` })),
  ];
}

/** `grant` with exactly `item` removed; everything else unchanged. */
export function withoutItem(grant: Grant, item: GrantItem): Grant {
  const drop = <T>(list: readonly T[], kind: GrantItem['kind']): T[] => list.filter((_, i) => !(item.kind === kind && i === item.index));
  return { read: drop(grant.read, 'read'), write: drop(grant.write, 'write'), dial: drop(grant.dial, 'dial'), exec: drop(grant.exec, 'exec') };
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'fish', 'csh', 'tcsh', 'busybox']);
const basename = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/**
 * True when a rule runs a shell on a command string: a shell program (directly or after
 * `env`, `sudo`, …) followed by `-c` or a flag cluster containing `c` (`-ec`, `-lc`).
 */
export function isShellRule(rule: ExecRule): boolean {
  const args = rule.argv;
  const shellAt = args.findIndex((a) => typeof a === 'string' && SHELLS.has(basename(a)));
  if (shellAt < 0) return false;
  return args.slice(shellAt + 1).some((a) => typeof a === 'string' && /^-[A-Za-z]*c[A-Za-z]*$/.test(a));
}

/** Problems with the form of a grant (not its size): relative paths, program placeholders, shells. */
export function grantFormProblems(grant: Grant): string[] {
  const problems: string[] = [];
  for (const p of [...grant.read, ...grant.write]) if (!p.startsWith('/')) problems.push(`path root ${JSON.stringify(p)} is not absolute`);
  for (const e of grant.exec) {
    if (typeof e.argv[0] !== 'string' || e.argv[0] === '') problems.push(`exec rule ${JSON.stringify(e.argv)} has no literal program`);
    if (isShellRule(e)) problems.push(`exec rule ${JSON.stringify(e.argv.map(argText))} runs a shell on a command string`);
  }
  return problems;
}

/**
 * Turning an argv into the one command string an SSH exec request carries.
 *
 * SSH has no argv: the server hands the request's string to the user's login shell as
 * `$SHELL -c STRING`. Wrapping every element in POSIX single quotes makes that string mean
 * exactly the original argv, because inside single quotes a POSIX shell interprets nothing —
 * no `$`, backtick, `;`, glob, backslash or newline — and the only character that cannot
 * appear (`'`) is written as `'\''` (close, escaped quote, reopen). The command is prefixed
 * with `exec`, so the shell replaces itself with the program (as execvp would: no builtins,
 * no aliases or functions, PATH lookup only) and a signal or exit status reported by the
 * server is the program's own.
 *
 * Requirement on the remote side: the login shell is POSIX-compatible (sh, dash, bash, ksh,
 * zsh, busybox ash). Pure functions only; no I/O.
 */
import { CertDeployerError, ErrorCode } from '../errors.ts';
import { commandEnvironment, isAbsoluteProgram } from './exec-environment.ts';

/** Quotes one argument so a POSIX shell reads it back byte for byte. */
export function shellQuote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/**
 * Joins argv into the command string of an SSH exec request. Throws CD_ERR_EXEC for an empty
 * argv, a program name that is empty or starts with `-`, or an argument containing NUL, which
 * no argv (local or remote) can carry.
 */
export function shellJoin(argv: readonly string[]): string {
  if (argv.length === 0) {
    throw new CertDeployerError(ErrorCode.Exec, 'exec: argv is empty; argv[0] must name the program');
  }
  const program = argv[0] ?? '';
  if (program === '' || program.startsWith('-')) {
    // `exec -x` would be read as an option of the shell's exec builtin, not as a program.
    throw new CertDeployerError(ErrorCode.Exec, `exec: argv[0] ${JSON.stringify(program)} is not a program name`);
  }
  argv.forEach((arg, i) => {
    if (arg.includes('\0')) {
      throw new CertDeployerError(ErrorCode.Exec, `exec: argv[${i}] contains a NUL byte, which no argv can carry`);
    }
  });
  return `exec ${argv.map(shellQuote).join(' ')}`;
}

/**
 * The full command string of an SSH exec request: announce the shell's pid on stderr as
 * `MARKER PID`, then `shellJoin` of `/usr/bin/env -i PATH=… LANG=… LC_ALL=… argv…`, so the
 * program runs with exactly the local host's fixed minimal environment (run-process.ts) and
 * nothing of the remote login environment (no PATH of the SSH user, no proxy variables). sshd makes the session's first process a session
 * and process-group leader and `exec` keeps that pid for the program, so the announced pid is
 * the process group to signal on timeout — needed because sshd ignores SSH "signal" requests
 * for root logins (it skips privilege separation for root, and signalling requires it).
 * `marker` must be a random token, so program output can never be mistaken for it.
 */
export function remoteCommand(argv: readonly string[], marker: string): string {
  if (!/^[A-Za-z0-9_-]{8,64}$/.test(marker)) throw new Error('pid marker must be 8-64 safe characters');
  const env = Object.entries(commandEnvironment()).map(([k, v]) => `${k}=${String(v)}`);
  shellJoin(argv);
  if (!isAbsoluteProgram(argv[0])) {
    throw new CertDeployerError(ErrorCode.Exec, `exec: argv[0] ${JSON.stringify(argv[0])} must be an absolute path to the program (no PATH lookup)`);
  }
  return `printf '%s %s\\n' ${shellQuote(marker)} "$$" >&2; ${shellJoin(['/usr/bin/env', '-i', ...env, ...argv])}`;
}

/**
 * What every command the sandbox runs gets, on the local host and over SSH alike: a program
 * named by an absolute path and a fixed minimal environment. Pure; no I/O.
 */

/**
 * The search path a command's own children see (apachectl runs `apache2`, systemctl helpers).
 * Fixed, never the operator's: a PATH inherited from the pod (or set by whoever starts the
 * operator) would decide which binary a reload script runs. The program itself is always
 * named by an absolute path, so this PATH never chooses it.
 */
export const COMMAND_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The only environment a command sees, on every host: the fixed PATH and a fixed UTF-8 C
 * locale (stable, parseable tool output; file names with non-ASCII bytes print unmangled).
 * Nothing else: no proxy variables (`HTTPS_PROXY` would send a reload hook's traffic through
 * a tenant-chosen proxy), no cloud credentials, no `LD_*`, no `HOME`.
 */
export function commandEnvironment(): NodeJS.ProcessEnv {
  return { PATH: COMMAND_PATH, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
}

/** True when `program` is an absolute, lexically normal path (what exec rules require). */
export function isAbsoluteProgram(program: unknown): program is string {
  if (typeof program !== 'string' || !program.startsWith('/') || program.includes('\0') || program.includes('=')) return false;
  return !program.split('/').some((seg, i) => i > 0 && (seg === '' || seg === '.' || seg === '..'));
}


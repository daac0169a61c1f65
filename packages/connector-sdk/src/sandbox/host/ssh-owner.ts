/**
 * Owner and group names → numeric ids on the remote host. SFTP only carries numeric ids, and
 * names mean whatever the remote passwd/group databases say (LDAP, sssd included), so they are
 * resolved there: `id -u NAME` and `getent group NAME`, once per host instance, then cached.
 * Names are validated before they reach a command line; the argv is quoted as always.
 * Errors are CD_ERR_CONNECTOR, like the local host's (account-ids.ts): a bad owner is a
 * configuration problem, not an I/O failure.
 */
import { CertDeployerError, ErrorCode } from '../errors.ts';
import type { ExecResult } from '../sandbox.ts';
import { ACCOUNT_NAME } from './ssh-options.ts';

/** Numeric ids to apply; `undefined` keeps the file's current id. */
export interface OwnerIds {
  readonly uid?: number;
  readonly gid?: number;
}

type RunArgv = (argv: readonly string[]) => Promise<ExecResult>;

const MAX_ID = 0xfffffffe; // (uid_t)-1 means "unchanged" to chown(2); never send it as an id.

/**
 * A number, a decimal string, or a name. Returns the id for the first two and the validated
 * name for the last; throws EINVAL for anything else.
 */
export function classifyAccount(value: string | number, kind: 'owner' | 'group', path: string): number | string {
  if (typeof value === 'number' || /^\d+$/.test(value)) {
    const id = Number(value);
    if (Number.isSafeInteger(id) && id >= 0 && id <= MAX_ID) return id;
  } else if (ACCOUNT_NAME.test(value) && value.length <= 64) {
    return value;
  }
  throw new CertDeployerError(
    ErrorCode.Connector,
    `${kind} ${JSON.stringify(String(value).slice(0, 64))} for ${JSON.stringify(path)} is not a valid user/group name or id`,
  );
}

/** Parses `id -u` output: one decimal id. */
export function parseIdOutput(stdout: string): number | null {
  const m = /^(\d+)\s*$/.exec(stdout);
  const id = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(id) && id <= MAX_ID ? id : null;
}

/** Parses a `getent group` line `name:x:gid:members` for `name`. */
export function parseGetentGroup(stdout: string, name: string): number | null {
  const fields = (stdout.split('\n')[0] ?? '').split(':');
  if (fields.length < 3 || fields[0] !== name || !/^\d+$/.test(fields[2] ?? '')) return null;
  const id = Number(fields[2]);
  return Number.isSafeInteger(id) && id <= MAX_ID ? id : null;
}

export class OwnerResolver {
  readonly #label: string;
  readonly #run: RunArgv;
  readonly #users = new Map<string, Promise<number>>();
  readonly #groups = new Map<string, Promise<number>>();

  constructor(label: string, run: RunArgv) {
    this.#label = label;
    this.#run = run;
  }

  /** Resolves the owner and group of a write; both unset → `{}` and no command runs. */
  async resolve(owner: string | number | undefined, group: string | number | undefined, path: string): Promise<OwnerIds> {
    const o = owner === undefined ? undefined : classifyAccount(owner, 'owner', path);
    const g = group === undefined ? undefined : classifyAccount(group, 'group', path);
    const [uid, gid] = await Promise.all([
      typeof o === 'string' ? this.#lookup(this.#users, o, 'owner', path) : o,
      typeof g === 'string' ? this.#lookup(this.#groups, g, 'group', path) : g,
    ]);
    return { ...(uid === undefined ? {} : { uid }), ...(gid === undefined ? {} : { gid }) };
  }

  #lookup(cache: Map<string, Promise<number>>, name: string, kind: 'owner' | 'group', path: string): Promise<number> {
    let found = cache.get(name);
    if (found === undefined) {
      found = this.#query(name, kind, path);
      cache.set(name, found);
      // Failures are not cached: the account may be created before the next attempt.
      found.catch(() => cache.delete(name));
    }
    return found;
  }

  async #query(name: string, kind: 'owner' | 'group', path: string): Promise<number> {
    const argv = kind === 'owner' ? ['/usr/bin/id', '-u', name] : ['/usr/bin/getent', 'group', name];
    const res = await this.#run(argv);
    const id = res.exitCode === 0 ? (kind === 'owner' ? parseIdOutput(res.stdout) : parseGetentGroup(res.stdout, name)) : null;
    if (id === null) {
      const why = res.exitCode === 0 ? 'unexpected output' : `${argv.slice(0, 2).join(' ')} exited ${String(res.exitCode ?? res.signal)}`;
      throw new CertDeployerError(
        ErrorCode.Connector,
        `unknown ${kind === 'owner' ? 'user' : 'group'} ${JSON.stringify(name)} on ${this.#label} (${why}) for ${JSON.stringify(path)}`,
      );
    }
    return id;
  }
}

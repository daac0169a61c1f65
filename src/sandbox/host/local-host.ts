/**
 * The Host for the machine the operator runs on (agent mode beside the web server): raw file,
 * process and unix-socket I/O with node:fs/promises, node:child_process and node:net. No grant
 * checks here; the checked sandbox does them on canonical paths before calling in.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import { lstat, open, readFile, realpath, rename, unlink } from 'node:fs/promises';
import { createConnection } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ExecOptions, ExecResult } from '../sandbox.ts';
import { isIdName, parseIdTable, resolveId, type IdTable } from './account-ids.ts';
import type { AtomicWriteOptions, Host, HostStat } from './host.ts';
import { runProcess } from './run-process.ts';

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function isMissing(err: unknown): boolean {
  return code(err) === 'ENOENT' || code(err) === 'ENOTDIR';
}

function parentOf(path: string): { dir: string; name: string } {
  const i = path.lastIndexOf('/');
  return { dir: i <= 0 ? '/' : path.slice(0, i), name: path.slice(i + 1) };
}

/** Options for tests and unusual layouts (a chroot, a container with its own account files). */
export interface LocalHostOptions {
  readonly passwdFile?: string;
  readonly groupFile?: string;
}

/** Host implementation for the local machine. */
export class LocalHost implements Host {
  readonly kind = 'local' as const;
  readonly label = 'local';
  readonly #passwdFile: string;
  readonly #groupFile: string;

  constructor(opts: LocalHostOptions = {}) {
    this.#passwdFile = opts.passwdFile ?? '/etc/passwd';
    this.#groupFile = opts.groupFile ?? '/etc/group';
  }

  async realpath(path: string, signal?: AbortSignal): Promise<string> {
    signal?.throwIfAborted();
    return realpath(path);
  }

  async lstat(path: string, signal?: AbortSignal): Promise<HostStat | null> {
    signal?.throwIfAborted();
    try {
      const s = await lstat(path);
      return {
        isFile: s.isFile(),
        isDirectory: s.isDirectory(),
        isSymbolicLink: s.isSymbolicLink(),
        mode: s.mode & 0o7777,
        uid: s.uid,
        gid: s.gid,
        size: s.size,
      };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async readFile(path: string, signal?: AbortSignal): Promise<Uint8Array | null> {
    try {
      const buf = await readFile(path, signal === undefined ? {} : { signal });
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  /**
   * Temp file in the same directory, created `O_CREAT|O_EXCL|O_NOFOLLOW` with the final mode
   * (umask can only remove bits, and the fchmod that follows only restores bits of that mode),
   * then fchown, write, fsync, rename over the target and fsync of the directory. On any
   * failure or abort the temp file is removed and the target is untouched.
   */
  async writeFileAtomic(path: string, data: Uint8Array, opts: AtomicWriteOptions): Promise<void> {
    const signal = opts.signal;
    signal?.throwIfAborted();
    const uid = await resolveAccount(opts.owner, 'user', this.#passwdFile);
    const gid = await resolveAccount(opts.group, 'group', this.#groupFile);
    signal?.throwIfAborted();
    const { dir, name } = parentOf(path);
    const temp = `${dir === '/' ? '' : dir}/.${name.slice(0, 100)}.${randomBytes(6).toString('hex')}.tmp`;
    const flags = fsc.O_CREAT | fsc.O_EXCL | fsc.O_WRONLY | fsc.O_NOFOLLOW;
    const fh = await open(temp, flags, opts.mode);
    let renamed = false;
    try {
      if (uid !== -1 || gid !== -1) await fh.chown(uid, gid);
      await fh.chmod(opts.mode);
      let written = 0;
      while (written < data.byteLength) {
        signal?.throwIfAborted();
        const { bytesWritten } = await fh.write(data, written, data.byteLength - written);
        written += bytesWritten;
      }
      await fh.sync();
      await fh.close();
      signal?.throwIfAborted();
      await rename(temp, path);
      renamed = true;
    } finally {
      if (!renamed) {
        await fh.close().catch(() => undefined);
        await unlink(temp).catch(() => undefined);
      }
    }
    await syncDirectory(dir);
  }

  async unlink(path: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    try {
      await unlink(path);
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  }

  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult> {
    return runProcess(argv, opts);
  }

  connectUnix(path: string, signal?: AbortSignal): Promise<Duplex> {
    return new Promise<Duplex>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(signal.reason);
        return;
      }
      const socket = createConnection({ path });
      const onAbort = (): void => {
        socket.destroy();
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('connect', () => {
        signal?.removeEventListener('abort', onAbort);
        socket.removeListener('error', reject);
        resolve(socket);
      });
      socket.once('error', (err) => {
        signal?.removeEventListener('abort', onAbort);
        reject(err);
      });
    });
  }

  async close(): Promise<void> {
    // Nothing is pooled locally.
  }
}

/**
 * -1 (keep) when unset, else the numeric id. Account files are read on each write that names
 * an owner: they rarely change, but a cached copy would go stale in a long-running operator.
 */
async function resolveAccount(value: string | number | undefined, kind: 'user' | 'group', file: string): Promise<number> {
  if (value === undefined) return -1;
  const table: IdTable = isIdName(value) ? parseIdTable(await readFile(file, 'utf8')) : new Map();
  return resolveId(value, kind, table);
}

/** fsync of the directory makes the rename durable; filesystems that cannot do it are tolerated. */
async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, fsc.O_RDONLY | fsc.O_DIRECTORY);
  try {
    await fh.sync();
  } catch (err) {
    if (code(err) !== 'EINVAL') throw err;
  } finally {
    await fh.close();
  }
}

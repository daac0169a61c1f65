/**
 * The Host for the machine the operator runs on (agent mode beside the web server): raw file,
 * process and unix-socket I/O with node:fs/promises, node:child_process and node:net. No grant
 * checks here; the checked sandbox does them on canonical paths before calling in.
 */
import { fsErrorCode } from './fs-error.ts';
import { randomBytes } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import { lstat, open, readFile, realpath, rename, unlink, type FileHandle } from 'node:fs/promises';
import { createConnection } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ExecOptions, ExecResult } from '../sandbox.ts';
import { isIdName, parseIdTable, resolveId, type IdTable } from './account-ids.ts';
import { realClock, type Clock } from '../../core/clock.ts';
import type { AtomicWriteOptions, BeneathFile, BeneathReadOptions, FileSetEntry, FileSetOptions, Host, HostStat } from './host.ts';
import { at, hostStat, openParentBeneath, readInDir, removeStaleTemps, syncDir, unlinkBeneath } from './local-beneath.ts';
import { DATA_LINK, readMaybeLinked, removeFileSetInDir, writeSetInDir } from './local-file-set.ts';
import { joinPath } from '../check/path-check.ts';
import { runProcess } from './run-process.ts';

const code = fsErrorCode;

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
  /** Decides which leftover temp files are stale (tests pass their own). */
  readonly clock?: Clock;
}

/** Host implementation for the local machine. */
export class LocalHost implements Host {
  readonly kind = 'local' as const;
  readonly label = 'local';
  readonly #passwdFile: string;
  readonly #groupFile: string;
  readonly #clock: Clock;

  constructor(opts: LocalHostOptions = {}) {
    this.#clock = opts.clock ?? realClock;
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
      return hostStat(await lstat(path));
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  /** Raw whole-file read by path (follows symlinks); the sandbox uses `readFileBeneath`. */
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
   * Raw atomic write by path (follows symlinks in the directory part; kept for tools and
   * tests). The sandbox never calls it: it uses `replaceFileBeneath`.
   */
  async writeFileAtomic(path: string, data: Uint8Array, opts: AtomicWriteOptions): Promise<void> {
    opts.signal?.throwIfAborted();
    const ids = await this.#ids(opts);
    const { dir, name } = parentOf(path);
    const fh = await open(dir, fsc.O_RDONLY | fsc.O_DIRECTORY);
    try {
      await writeInDir(fh, name, data, { ...opts, ...ids });
    } finally {
      await fh.close();
    }
  }

  async readFileBeneath(root: string, path: string, opts: BeneathReadOptions): Promise<BeneathFile | null> {
    opts.signal?.throwIfAborted();
    let parent;
    try {
      parent = await openParentBeneath(root, path);
    } catch (err) {
      if (code(err) === 'ENOENT') return null;
      throw err;
    }
    try {
      return await readMaybeLinked(parent.dir, parent.name, path, opts.maxBytes);
    } finally {
      await parent.dir.close();
    }
  }

  async writeFileSetBeneath(root: string, dir: string, entries: readonly FileSetEntry[], opts: FileSetOptions): Promise<(BeneathFile | null)[]> {
    opts.signal?.throwIfAborted();
    const ids = await this.#ids({ mode: 0, owner: opts.owner, group: opts.group, signal: opts.signal });
    const paths = entries.map((e) => joinPath(dir, e.name));
    const parent = await openParentBeneath(root, paths[0] as string);
    try {
      await removeStaleTemps(parent.dir, this.#clock.now());
      return await writeSetInDir(parent.dir, entries, paths, {
        maxPreviousBytes: opts.maxPreviousBytes,
        nowMs: this.#clock.now(),
        writeOne: (d, name, data, mode) => writeInDir(d, name, data, { mode, ...ids, signal: opts.signal }),
      });
    } finally {
      await parent.dir.close();
    }
  }

  async removeFileSetBeneath(root: string, dir: string, names: readonly string[], signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const parent = await openParentBeneath(root, joinPath(dir, names[0] ?? DATA_LINK));
    try {
      await removeFileSetInDir(parent.dir, names, this.#clock.now());
    } finally {
      await parent.dir.close();
    }
  }

  async replaceFileBeneath(
    root: string,
    path: string,
    data: Uint8Array,
    opts: AtomicWriteOptions & { readonly maxPreviousBytes: number },
  ): Promise<BeneathFile | null> {
    opts.signal?.throwIfAborted();
    const ids = await this.#ids(opts);
    const { dir, name } = await openParentBeneath(root, path);
    try {
      await removeStaleTemps(dir, this.#clock.now());
      const previous = await readInDir(dir, name, path, opts.maxPreviousBytes);
      await writeInDir(dir, name, data, { ...opts, ...ids });
      return previous;
    } finally {
      await dir.close();
    }
  }

  async unlinkBeneath(root: string, path: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    await unlinkBeneath(root, path);
  }

  async #ids(opts: AtomicWriteOptions): Promise<{ uid: number; gid: number }> {
    const uid = await resolveAccount(opts.owner, 'user', this.#passwdFile);
    const gid = await resolveAccount(opts.group, 'group', this.#groupFile);
    opts.signal?.throwIfAborted();
    return { uid, gid };
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

/**
 * Temp file in the open directory `dir`, created `O_CREAT|O_EXCL|O_NOFOLLOW` with the final
 * mode (umask can only remove bits, and the fchmod that follows only restores bits of that
 * mode), then fchown, write, fsync, rename over `name` in the same directory (rename replaces
 * a symlink there instead of following it) and fsync of the directory. On any failure or abort
 * the temp file is removed and the target is untouched.
 */
async function writeInDir(dir: FileHandle, name: string, data: Uint8Array, opts: { mode: number; uid: number; gid: number; signal?: AbortSignal | undefined }): Promise<void> {
  const { signal } = opts;
  const tempName = `.${name.slice(0, 100)}.${randomBytes(6).toString('hex')}.tmp`;
  const flags = fsc.O_CREAT | fsc.O_EXCL | fsc.O_WRONLY | fsc.O_NOFOLLOW;
  const fh = await open(at(dir, tempName), flags, opts.mode);
  let renamed = false;
  try {
    if (opts.uid !== -1 || opts.gid !== -1) await fh.chown(opts.uid, opts.gid);
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
    await rename(at(dir, tempName), at(dir, name));
    renamed = true;
  } finally {
    if (!renamed) {
      await fh.close().catch(() => undefined);
      await unlink(at(dir, tempName)).catch(() => undefined);
    }
  }
  await syncDir(dir);
}

/**
 * The SFTP equivalent of fd-relative, no-follow I/O below a grant root. SFTP v3 has no
 * openat(2) and no O_NOFOLLOW, so this is check-then-act, done as tightly as the protocol
 * allows:
 *   1. lstat every directory from the root down to the parent: each must be a directory and
 *      not a symlink (the root itself too);
 *   2. realpath of the parent must equal the lexical parent (nothing resolved elsewhere);
 *   3. lstat of the final name: a regular file (or absent), never a symlink; the link count
 *      (SFTP attributes carry none) comes from the server's `ls -l` style `longname` in a
 *      READDIR of the parent, and must be 1;
 *   4. reads open the file and cap the bytes read; writes go to a fresh temp file (O_EXCL)
 *      renamed with `posix-rename@openssh.com`, which is rename(2): it replaces a final
 *      symlink instead of following it.
 * Residual race (docs/security.md, "Sandbox"): someone who can write inside a granted
 * directory on the remote host can swap a directory component for a symlink between step 1-3
 * and step 4; the server then follows it. Closing that needs openat on the server (an agent on
 * the host, or SFTP extensions OpenSSH does not offer).
 */
import { posix } from 'node:path';
import type { FileEntry, SFTPWrapper, Stats } from 'ssh2';
import type { AtomicWriteOptions, BeneathFile, HostStat } from './host.ts';
import { fsErrorCode } from './fs-error.ts';
import { HostFsError, isSftpNoSuchFile, mapSftpError } from './ssh-errors.ts';
import { toHostStat, type SshFiles } from './ssh-sftp.ts';
import { componentsBelow, isStaleTemp, UnsafePathError, UnsafeReason } from './unsafe-path.ts';

type Cb<T> = (err: Error | null | undefined, value: T) => void;
function req<T>(start: (cb: Cb<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => start((err, value) => (err ? reject(err) : resolve(value))));
}

/** The link count from an OpenSSH `longname` (`-rw-r--r--    1 user group ...`), or undefined. */
export function linkCountFromLongname(longname: string): number | undefined {
  const m = /^\S{10}\S?\s+(\d+)\s/.exec(longname);
  return m === null ? undefined : Number(m[1]);
}

interface SftpAccess {
  readonly label: string;
  sftp(): Promise<SFTPWrapper>;
  now(): number;
}

/** No-follow checks and operations below a root over SFTP; see the module comment. */
export class SshBeneath {
  readonly #files: SshFiles;
  readonly #ctx: SftpAccess;

  constructor(files: SshFiles, ctx: SftpAccess) {
    this.#files = files;
    this.#ctx = ctx;
  }

  /** Steps 1 and 2: the parent directory, proven free of symlinks below `root`; ENOENT propagates. */
  async #checkedParent(root: string, path: string, signal?: AbortSignal): Promise<{ parent: string; name: string }> {
    const parts = componentsBelow(root, path);
    const name = parts.pop() as string;
    let dir = root;
    for (let i = 0; i <= parts.length; i++) {
      signal?.throwIfAborted();
      if (i > 0) dir = posix.join(dir, parts[i - 1] as string);
      const st = await this.#files.lstat(dir, signal);
      if (st === null) throw new HostFsError('ENOENT', 'lstat', dir, `no such file or directory (on ${this.#ctx.label})`);
      if (st.isSymbolicLink || !st.isDirectory) {
        throw new UnsafePathError(i === 0 ? UnsafeReason.RootMoved : UnsafeReason.SymlinkComponent, path);
      }
    }
    if ((await this.#files.realpath(dir, signal)) !== dir) throw new UnsafePathError(UnsafeReason.Escaped, path);
    return { parent: dir, name };
  }

  /** Step 3 for an existing final name; `null` when absent. */
  async #checkedFinal(parent: string, name: string, path: string, maxBytes: number, signal?: AbortSignal): Promise<HostStat | null> {
    const st = await this.#files.lstat(path, signal);
    if (st === null) return null;
    if (st.isSymbolicLink) throw new UnsafePathError(UnsafeReason.FinalSymlink, path);
    if (!st.isFile) throw new UnsafePathError(UnsafeReason.NotRegular, path);
    if (st.size > maxBytes) throw new UnsafePathError(UnsafeReason.TooLarge, path);
    const entry = (await this.#list(parent)).find((e) => e.filename === name);
    const nlink = entry === undefined ? undefined : linkCountFromLongname(entry.longname);
    if (nlink === undefined || nlink > 1) throw new UnsafePathError(UnsafeReason.HardLinked, path);
    return { ...st, nlink };
  }

  async #list(dir: string): Promise<FileEntry[]> {
    const sftp = await this.#ctx.sftp();
    return req<FileEntry[]>((cb) => sftp.readdir(dir, cb)).catch((err: unknown) => {
      throw mapSftpError(err, 'readdir', dir, this.#ctx.label);
    });
  }

  /** Opens and reads at most `maxBytes` (+1 to detect growth past the cap). */
  async #readCapped(path: string, stat: HostStat, maxBytes: number): Promise<BeneathFile> {
    const sftp = await this.#ctx.sftp();
    const handle = await req<Buffer>((cb) => sftp.open(path, 'r', cb)).catch((err: unknown) => {
      throw mapSftpError(err, 'open', path, this.#ctx.label);
    });
    try {
      const st = toHostStat(await req<Stats>((cb) => sftp.fstat(handle, cb)));
      if (!st.isFile) throw new UnsafePathError(UnsafeReason.NotRegular, path);
      if (st.size > maxBytes) throw new UnsafePathError(UnsafeReason.TooLarge, path);
      const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
      let total = 0;
      while (total < buf.length) {
        const n = await req<number>((cb) => sftp.read(handle, buf, total, buf.length - total, total, (err, bytes) => cb(err, bytes)));
        if (n === 0) break;
        total += n;
      }
      if (total > maxBytes) throw new UnsafePathError(UnsafeReason.TooLarge, path);
      return { data: new Uint8Array(buf.buffer, buf.byteOffset, total), stat: { ...st, nlink: stat.nlink ?? 1 } };
    } finally {
      await req<void>((cb) => sftp.close(handle, (err) => cb(err, undefined))).catch(() => undefined);
    }
  }

  async read(root: string, path: string, maxBytes: number, signal?: AbortSignal): Promise<BeneathFile | null> {
    let checked: { parent: string; name: string };
    try {
      checked = await this.#checkedParent(root, path, signal);
    } catch (err) {
      if (fsErrorCode(err) === 'ENOENT' || isSftpNoSuchFile(err)) return null;
      throw err;
    }
    const stat = await this.#checkedFinal(checked.parent, checked.name, path, maxBytes, signal);
    if (stat === null) return null;
    try {
      return await this.#readCapped(path, stat, maxBytes);
    } catch (err) {
      if (fsErrorCode(err) === 'ENOENT') return null;
      throw err;
    }
  }

  async replace(root: string, path: string, data: Uint8Array, opts: AtomicWriteOptions & { readonly maxPreviousBytes: number }): Promise<BeneathFile | null> {
    const { parent, name } = await this.#checkedParent(root, path, opts.signal);
    await this.#removeStaleTemps(parent);
    const stat = await this.#checkedFinal(parent, name, path, opts.maxPreviousBytes, opts.signal);
    const previous = stat === null ? null : await this.#readCapped(path, stat, opts.maxPreviousBytes);
    await this.#files.writeFileAtomic(path, data, opts);
    return previous;
  }

  async unlink(root: string, path: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.#checkedParent(root, path, signal);
    } catch (err) {
      if (fsErrorCode(err) === 'ENOENT') return;
      throw err;
    }
    await this.#files.unlink(path, signal);
  }

  /** Best effort, like the local host: our exact temp-name pattern, regular files, older than a minute. */
  async #removeStaleTemps(dir: string): Promise<void> {
    const sftp = await this.#ctx.sftp();
    const now = this.#ctx.now();
    for (const e of await this.#list(dir)) {
      if (!e.filename.startsWith('.') || !e.filename.endsWith('.tmp')) continue;
      const isFile = ((e.attrs.mode ?? 0) & 0o170000) === 0o100000;
      if (!isFile || !isStaleTemp(e.filename, (e.attrs.mtime ?? now / 1000) * 1000, now)) continue;
      await req<void>((cb) => sftp.unlink(posix.join(dir, e.filename), (err) => cb(err, undefined))).catch(() => undefined);
    }
  }
}

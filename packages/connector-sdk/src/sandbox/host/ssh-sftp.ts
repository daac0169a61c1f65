/**
 * File operations of an SSH host, over the connection's SFTP session.
 *
 * The atomic write is the part that matters for certificates: a reader (NGINX reloading, a
 * backup job) sees either the old file or the whole new one, and a private key is never
 * readable by others, not even between create and chmod. Steps:
 *   1. open `.<name>.cd-<random>.tmp` in the target's directory with `wx` (O_CREAT|O_EXCL, so
 *      it never follows or reuses an existing file) and the final mode in the open attributes;
 *      the server's umask can only remove bits from it;
 *   2. write; apply owner/group (fchown, numeric ids; names resolved once per host with
 *      `id -u NAME` / `getent group NAME`); fchmod to the exact mode (undoing the umask, and
 *      after chown, which may clear set-id bits); fsync when the server offers
 *      `fsync@openssh.com` (otherwise durability is left to the server's filesystem);
 *   3. rename over the target with `posix-rename@openssh.com`, which is rename(2): atomic and
 *      replacing. Plain SFTP RENAME refuses to replace an existing file on OpenSSH, so when the
 *      extension is missing the fallback is `mv -f -- TMP TARGET` over an exec channel, which is
 *      also rename(2) within one directory.
 * On any failure the temp file is removed.
 */
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { SFTPWrapper, Stats } from 'ssh2';
import type { ExecOptions, ExecResult } from '../sandbox.ts';
import type { AtomicWriteOptions, HostStat } from './host.ts';
import { HostFsError, isSftpNoSuchFile, mapSftpError } from './ssh-errors.ts';
import { OwnerResolver } from './ssh-owner.ts';

/** What the file operations need from the host: the SFTP session and a way to run commands. */
export interface SftpContext {
  readonly label: string;
  sftp(): Promise<SFTPWrapper>;
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
}

type Cb<T> = (err: Error | null | undefined, value: T) => void;

/** Runs one callback-style SFTP request; synchronous throws (unsupported extension) reject too. */
function req<T>(start: (cb: Cb<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    start((err, value) => (err ? reject(err) : resolve(value)));
  });
}

/** Host paths are absolute: over SSH a relative path would silently mean "below $HOME". */
export function assertAbsolute(path: string, syscall: string): void {
  if (!posix.isAbsolute(path) || path.includes('\0')) {
    throw new HostFsError('EINVAL', syscall, path, 'path must be absolute and contain no NUL byte');
  }
}

/**
 * The temp file name for an atomic write: hidden, same directory, unguessable, and short enough
 * (name cut to 100 characters) that a target near NAME_MAX still gets one.
 */
export function tempPathFor(path: string, random: string): string {
  const dir = posix.dirname(path);
  return posix.join(dir, `.${posix.basename(path).slice(0, 100)}.cd-${random}.tmp`);
}

export function toHostStat(st: Stats): HostStat {
  return {
    isFile: st.isFile(),
    isDirectory: st.isDirectory(),
    isSymbolicLink: st.isSymbolicLink(),
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    size: st.size,
  };
}

export class SshFiles {
  readonly #ctx: SftpContext;
  readonly #owners: OwnerResolver;

  constructor(ctx: SftpContext) {
    this.#ctx = ctx;
    this.#owners = new OwnerResolver(ctx.label, (argv) => ctx.exec(argv, { timeoutMs: 30_000, maxOutputBytes: 64 * 1024 }));
  }

  async realpath(path: string, signal?: AbortSignal): Promise<string> {
    assertAbsolute(path, 'realpath');
    signal?.throwIfAborted();
    const sftp = await this.#ctx.sftp();
    const resolved = await req<string>((cb) => sftp.realpath(path, cb)).catch((err: unknown) => {
      throw mapSftpError(err, 'realpath', path, this.#ctx.label);
    });
    // OpenSSH resolves a missing last component without complaint; realpath(3) does not.
    if ((await this.lstat(resolved, signal)) === null) {
      throw new HostFsError('ENOENT', 'realpath', path, `no such file or directory (on ${this.#ctx.label})`);
    }
    return resolved;
  }

  async lstat(path: string, signal?: AbortSignal): Promise<HostStat | null> {
    assertAbsolute(path, 'lstat');
    signal?.throwIfAborted();
    const sftp = await this.#ctx.sftp();
    try {
      return toHostStat(await req<Stats>((cb) => sftp.lstat(path, cb)));
    } catch (err) {
      if (isSftpNoSuchFile(err)) return null;
      throw mapSftpError(err, 'lstat', path, this.#ctx.label);
    }
  }

  async readFile(path: string, signal?: AbortSignal): Promise<Uint8Array | null> {
    assertAbsolute(path, 'open');
    signal?.throwIfAborted();
    const sftp = await this.#ctx.sftp();
    try {
      const data = await req<Buffer>((cb) => sftp.readFile(path, cb));
      signal?.throwIfAborted();
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    } catch (err) {
      if (isSftpNoSuchFile(err)) return null;
      throw mapSftpError(err, 'read', path, this.#ctx.label);
    }
  }

  async unlink(path: string, signal?: AbortSignal): Promise<void> {
    assertAbsolute(path, 'unlink');
    signal?.throwIfAborted();
    const sftp = await this.#ctx.sftp();
    await req<void>((cb) => sftp.unlink(path, cb)).catch((err: unknown) => {
      if (!isSftpNoSuchFile(err)) throw mapSftpError(err, 'unlink', path, this.#ctx.label);
    });
  }

  async writeFileAtomic(path: string, data: Uint8Array, opts: AtomicWriteOptions): Promise<void> {
    assertAbsolute(path, 'open');
    if (path.endsWith('/') || ['.', '..'].includes(posix.basename(path))) {
      throw new HostFsError('EISDIR', 'open', path, 'the target must name a file');
    }
    if (!Number.isInteger(opts.mode) || opts.mode < 0 || opts.mode > 0o7777) {
      throw new HostFsError('EINVAL', 'open', path, `mode ${String(opts.mode)} is not a permission mode (0..0o7777)`);
    }
    const { signal } = opts;
    const mode = opts.mode;
    signal?.throwIfAborted();
    const ids = await this.#owners.resolve(opts.owner, opts.group, path);
    signal?.throwIfAborted();
    const sftp = await this.#ctx.sftp();
    const tmp = tempPathFor(path, randomBytes(8).toString('hex'));
    const fail = (syscall: string, p: string) => (err: unknown) => {
      throw mapSftpError(err, syscall, p, this.#ctx.label);
    };
    const handle = await req<Buffer>((cb) => sftp.open(tmp, 'wx', { mode }, cb)).catch(fail('open', tmp));
    let open = true;
    let renamed = false;
    try {
      const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      await req<void>((cb) => sftp.write(handle, buf, 0, buf.length, 0, (err) => cb(err, undefined))).catch(fail('write', tmp));
      signal?.throwIfAborted();
      if (ids.uid !== undefined || ids.gid !== undefined) {
        const st = await req<Stats>((cb) => sftp.fstat(handle, cb)).catch(fail('fstat', tmp));
        await req<void>((cb) => sftp.fchown(handle, ids.uid ?? st.uid, ids.gid ?? st.gid, (err) => cb(err, undefined))).catch(fail('fchown', tmp));
      }
      await req<void>((cb) => sftp.fchmod(handle, mode, (err) => cb(err, undefined))).catch(fail('fchmod', tmp));
      if (supportsExtension(sftp, 'fsync@openssh.com')) {
        await req<unknown>((cb) => sftp.ext_openssh_fsync(handle, cb)).catch(fail('fsync', tmp));
      }
      open = false;
      await req<void>((cb) => sftp.close(handle, (err) => cb(err, undefined))).catch(fail('close', tmp));
      signal?.throwIfAborted();
      await this.#renameReplacing(sftp, tmp, path);
      renamed = true;
    } finally {
      if (open) await req<void>((cb) => sftp.close(handle, (err) => cb(err, undefined))).catch(() => undefined);
      if (!renamed) await req<void>((cb) => sftp.unlink(tmp, (err) => cb(err, undefined))).catch(() => undefined);
    }
  }

  async #renameReplacing(sftp: SFTPWrapper, from: string, to: string): Promise<void> {
    if (supportsExtension(sftp, 'posix-rename@openssh.com')) {
      await req<void>((cb) => sftp.ext_openssh_rename(from, to, (err) => cb(err, undefined))).catch((err: unknown) => {
        throw mapSftpError(err, 'rename', to, this.#ctx.label);
      });
      return;
    }
    // `mv` would move into a directory instead of replacing it; a file target is required.
    if ((await this.lstat(to))?.isDirectory === true) throw new HostFsError('EISDIR', 'rename', to, 'the target is a directory');
    await renameWithMv(this.#ctx, from, to);
  }
}

/**
 * Whether the server advertised version "1" of an SFTP extension, the version ssh2's
 * `ext_openssh_*` methods require (they throw otherwise). ssh2 keeps the VERSION packet's list
 * in `_extensions` without a public accessor; reading it chooses the fallback up front instead
 * of matching on the text of that throw.
 */
export function supportsExtension(sftp: SFTPWrapper, name: string): boolean {
  const exts = (sftp as unknown as { _extensions?: Record<string, string> })._extensions;
  return exts?.[name] === '1';
}

/**
 * The rename fallback for servers without `posix-rename@openssh.com`: `mv -f` performs
 * rename(2) when source and target share a directory, so it replaces atomically.
 */
export async function renameWithMv(ctx: Pick<SftpContext, 'exec' | 'label'>, from: string, to: string): Promise<void> {
  const res = await ctx.exec(['/bin/mv', '-f', '--', from, to], { timeoutMs: 30_000, maxOutputBytes: 16 * 1024 });
  if (res.exitCode !== 0) {
    const why = res.stderr.trim() || (res.timedOut ? 'timed out' : `exit ${String(res.exitCode ?? res.signal)}`);
    throw new HostFsError('EIO', 'rename', to, `mv failed on ${ctx.label}: ${why}`);
  }
}

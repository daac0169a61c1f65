/**
 * fd-relative, no-follow file I/O below a grant root on Linux. Node has no openat(2), so the
 * walk uses the /proc magic link: open the canonical root with O_DIRECTORY|O_NOFOLLOW, then
 * open each next component as `/proc/self/fd/<dirfd>/<name>` with O_NOFOLLOW. The kernel
 * resolves `/proc/self/fd/<dirfd>` to the directory already open (not to a path that could
 * have changed since), then looks `<name>` up in it without following a final symlink, exactly
 * what openat(dirfd, name, O_NOFOLLOW) does. rename, unlink, mkdir and symlink take the same
 * `/proc/self/fd/<dirfd>/<name>` form, so every operation happens in a directory reached by
 * this walk and no symlink below the root is ever followed, however the tree changes meanwhile.
 *
 * Requires procfs (every Linux container has it; the operator image is Linux-only).
 */
import { fsErrorCode } from './fs-error.ts';
import { constants as fsc, type Stats } from 'node:fs';
import { open, readdir, readlink, lstat, unlink, type FileHandle } from 'node:fs/promises';
import type { BeneathFile, HostStat } from './host.ts';
import { componentsBelow, isStaleTemp, UnsafePathError, UnsafeReason } from './unsafe-path.ts';

const DIR_FLAGS = fsc.O_RDONLY | fsc.O_DIRECTORY | fsc.O_NOFOLLOW;
/** O_NONBLOCK so opening a FIFO planted in place of a file cannot hang the operator. */
const READ_FLAGS = fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK;

/** `name` looked up inside the already open directory `dir` (the openat(2) equivalent). */
export function at(dir: FileHandle, name: string): string {
  return `/proc/self/fd/${dir.fd}/${name}`;
}

const errCode = fsErrorCode;

function within(root: string, real: string): boolean {
  return root === '/' || real === root || real.startsWith(`${root}/`);
}

/** Opens the canonical root itself and proves it still is that directory. */
async function openRoot(root: string): Promise<FileHandle> {
  let fh: FileHandle;
  try {
    fh = await open(root, DIR_FLAGS);
  } catch (err) {
    if (errCode(err) === 'ELOOP' || errCode(err) === 'ENOTDIR') throw new UnsafePathError(UnsafeReason.RootMoved, root);
    throw err;
  }
  if ((await readlink(`/proc/self/fd/${fh.fd}`)) !== root) {
    await fh.close();
    throw new UnsafePathError(UnsafeReason.RootMoved, root);
  }
  return fh;
}

/** An open directory and the final name to operate on in it. The caller closes `dir`. */
export interface OpenParent {
  readonly dir: FileHandle;
  readonly name: string;
}

/**
 * Walks from `root` to the parent of `path` component by component without following any
 * symlink. ENOENT (a missing directory) propagates as itself; a symlink or a non-directory
 * on the way is an UnsafePathError.
 */
export async function openParentBeneath(root: string, path: string): Promise<OpenParent> {
  const parts = componentsBelow(root, path);
  const name = parts.pop() as string;
  let dir = await openRoot(root);
  try {
    for (const part of parts) {
      let next: FileHandle;
      try {
        next = await open(at(dir, part), DIR_FLAGS);
      } catch (err) {
        // O_DIRECTORY|O_NOFOLLOW on a symlink fails with ENOTDIR (or ELOOP): both are refusals.
        if (errCode(err) === 'ENOTDIR' || errCode(err) === 'ELOOP') throw new UnsafePathError(UnsafeReason.SymlinkComponent, path);
        throw err;
      }
      await dir.close();
      dir = next;
    }
    // Belt and braces: where the kernel says this directory is now must still be below root.
    if (!within(root, await readlink(`/proc/self/fd/${dir.fd}`))) throw new UnsafePathError(UnsafeReason.Escaped, path);
    return { dir, name };
  } catch (err) {
    await dir.close();
    throw err;
  }
}

/** The Host view of a Node `Stats` (permission bits only, link count kept for the hard-link rule). */
export function hostStat(s: Stats): HostStat {
  return {
    isFile: s.isFile(),
    isDirectory: s.isDirectory(),
    isSymbolicLink: s.isSymbolicLink(),
    mode: s.mode & 0o7777,
    uid: s.uid,
    gid: s.gid,
    size: s.size,
    nlink: s.nlink,
  };
}

/**
 * Opens `name` in `dir` without following it and reads it whole, up to `maxBytes`; `null`
 * when it does not exist. Refuses symlinks, non-regular and hard-linked files, and files
 * over the cap (checked on the fstat of the open file, and again while reading).
 */
export async function readInDir(dir: FileHandle, name: string, path: string, maxBytes: number): Promise<BeneathFile | null> {
  let fh: FileHandle;
  try {
    fh = await open(at(dir, name), READ_FLAGS);
  } catch (err) {
    if (errCode(err) === 'ENOENT') return null;
    if (errCode(err) === 'ELOOP') throw new UnsafePathError(UnsafeReason.FinalSymlink, path);
    throw err;
  }
  try {
    const stat = hostStat(await fh.stat());
    if (!stat.isFile) throw new UnsafePathError(UnsafeReason.NotRegular, path);
    if ((stat.nlink ?? 1) > 1) throw new UnsafePathError(UnsafeReason.HardLinked, path);
    if (stat.size > maxBytes) throw new UnsafePathError(UnsafeReason.TooLarge, path);
    const buf = Buffer.alloc(Math.min(stat.size, maxBytes) + 1);
    let total = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, total, buf.length - total, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) throw new UnsafePathError(UnsafeReason.TooLarge, path);
      if (total === buf.length) break;
    }
    return { data: new Uint8Array(buf.buffer, buf.byteOffset, total), stat };
  } finally {
    await fh.close();
  }
}

/** Removes `path` below `root`; a missing file or directory is not an error. */
export async function unlinkBeneath(root: string, path: string): Promise<void> {
  let parent: OpenParent;
  try {
    parent = await openParentBeneath(root, path);
  } catch (err) {
    if (errCode(err) === 'ENOENT') return;
    throw err;
  }
  try {
    await unlink(at(parent.dir, parent.name)).catch((err: unknown) => {
      if (errCode(err) !== 'ENOENT') throw err;
    });
    await syncDir(parent.dir);
  } finally {
    await parent.dir.close();
  }
}

/**
 * Removes temp files that interrupted writes of this project left in `dir` (exact name
 * pattern, regular file, older than STALE_TEMP_AGE_MS). Returns the names removed. Best
 * effort: a file that vanished or cannot be removed is skipped, never an error for the write.
 */
export async function removeStaleTemps(dir: FileHandle, nowMs: number): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(`/proc/self/fd/${dir.fd}`)) {
    if (!name.startsWith('.') || !name.endsWith('.tmp')) continue;
    try {
      const s = await lstat(at(dir, name));
      if (!s.isFile() || !isStaleTemp(name, s.mtimeMs, nowMs)) continue;
      await unlink(at(dir, name));
      removed.push(name);
    } catch {
      // Raced with another cleaner or the writer: nothing to do.
    }
  }
  return removed;
}

/** fsync of a directory makes a rename or unlink durable; filesystems that cannot are tolerated. */
export async function syncDir(dir: FileHandle): Promise<void> {
  try {
    await dir.sync();
  } catch (err) {
    if (errCode(err) !== 'EINVAL') throw err;
  }
}

/**
 * Atomic file sets on the local host: a certificate and its key (and CA bundle) change
 * together, in one rename, the way the kubelet's atomic writer updates projected volumes.
 *
 *   D/..2026_12_04T19_10_00.123Z_3f9a1c/   a version directory holding every file of the set
 *   D/..data -> ..2026_12_04T19_10_00.123Z_3f9a1c    the one symlink swapped by rename(2)
 *   D/tls.crt -> ..data/tls.crt            the configured paths, created once
 *
 * A server that opens the configured paths (nginx, apache httpd, haproxy all open the path in
 * their configuration at (re)load and follow symlinks) reads both files from one version as
 * long as no swap happens between its two opens; the files on disk are never a mismatched
 * pair, not even for an instant, which the in-place layout (two renames) cannot promise.
 *
 * Everything happens through the no-follow directory walk of local-beneath.ts. The only
 * symlinks ever followed below a root are the two shapes created here, recognised exactly:
 * `<name> -> ..data/<name>` and `..data -> ..<version>` (VERSION_NAME); any other symlink is
 * refused as before.
 */
import { fsErrorCode } from './fs-error.ts';
import { randomBytes } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import { lstat, mkdir, open, readdir, readlink, rename, rmdir, symlink, unlink, type FileHandle } from 'node:fs/promises';
import type { BeneathFile, FileSetEntry } from './host.ts';
import { at, readInDir, syncDir } from './local-beneath.ts';
import { STALE_TEMP_AGE_MS, UnsafePathError, UnsafeReason } from './unsafe-path.ts';

/** The name of the swapped symlink. */
export const DATA_LINK = '..data';
/** Version directory names this writer creates: `..` + ISO time with `:` → `_` + `_` + 12 hex. */
export const VERSION_NAME = /^\.\.\d{4}_\d{2}_\d{2}T\d{2}_\d{2}_\d{2}\.\d{3}Z_[0-9a-f]{12}$/;

const DIR_FLAGS = fsc.O_RDONLY | fsc.O_DIRECTORY | fsc.O_NOFOLLOW;

const errCode = fsErrorCode;

/** `..data`'s target when it is ours, `null` when absent; anything else is refused. */
export async function currentVersion(dir: FileHandle, path: string): Promise<string | null> {
  let target: string;
  try {
    target = await readlink(at(dir, DATA_LINK));
  } catch (err) {
    if (errCode(err) === 'ENOENT') return null;
    if (errCode(err) === 'EINVAL') throw new UnsafePathError(UnsafeReason.NotRegular, path);
    throw err;
  }
  if (!VERSION_NAME.test(target)) throw new UnsafePathError(UnsafeReason.SymlinkComponent, path);
  return target;
}

/** True when `name` in `dir` is our link `name -> ..data/name`. */
async function isOwnLink(dir: FileHandle, name: string): Promise<boolean> {
  try {
    return (await readlink(at(dir, name))) === `${DATA_LINK}/${name}`;
  } catch {
    return false;
  }
}

/**
 * Reads `name` in `dir`; when it is our link, reads it from the current version directory
 * (opened no-follow), which is the only symlink-following this module allows.
 */
export async function readMaybeLinked(dir: FileHandle, name: string, path: string, maxBytes: number): Promise<BeneathFile | null> {
  try {
    return await readInDir(dir, name, path, maxBytes);
  } catch (err) {
    if (!(err instanceof UnsafePathError) || err.reason !== UnsafeReason.FinalSymlink || !(await isOwnLink(dir, name))) throw err;
    const version = await currentVersion(dir, path);
    if (version === null) return null;
    const vdir = await open(at(dir, version), DIR_FLAGS);
    try {
      return await readInDir(vdir, name, path, maxBytes);
    } finally {
      await vdir.close();
    }
  }
}

type SetEntry = FileSetEntry;

type WriteOne = (dir: FileHandle, name: string, data: Uint8Array, mode: number) => Promise<void>;

function versionName(nowMs: number): string {
  return `..${new Date(nowMs).toISOString().replaceAll(':', '_').replaceAll('-', '_')}_${randomBytes(6).toString('hex')}`;
}

/** Creates a version directory holding `entries` and swaps `..data` to it with one rename. */
async function publish(dir: FileHandle, entries: readonly SetEntry[], nowMs: number, writeOne: WriteOne): Promise<string> {
  const version = versionName(nowMs);
  await mkdir(at(dir, version), 0o755);
  const vdir = await open(at(dir, version), DIR_FLAGS);
  try {
    for (const e of entries) await writeOne(vdir, e.name, e.data, e.mode);
  } finally {
    await vdir.close();
  }
  const tmp = `${DATA_LINK}_tmp`;
  await unlink(at(dir, tmp)).catch(() => undefined);
  await symlink(version, at(dir, tmp));
  await rename(at(dir, tmp), at(dir, DATA_LINK));
  await syncDir(dir);
  return version;
}

/** Replaces `name` (a regular file or nothing) with our link, by rename of a fresh link. */
async function linkName(dir: FileHandle, name: string): Promise<void> {
  if (await isOwnLink(dir, name)) return;
  const tmp = `.${name.slice(0, 100)}.${randomBytes(6).toString('hex')}.tmp`;
  await symlink(`${DATA_LINK}/${name}`, at(dir, tmp));
  try {
    await rename(at(dir, tmp), at(dir, name));
  } catch (err) {
    await unlink(at(dir, tmp)).catch(() => undefined);
    throw err;
  }
}

/** Removes version directories other than `keep` (their files are ours: regular files only). */
export async function removeOldVersions(dir: FileHandle, keep: string | null, nowMs: number, onlyStale: boolean): Promise<void> {
  for (const name of await readdir(`/proc/self/fd/${dir.fd}`)) {
    if (name === keep || !VERSION_NAME.test(name)) continue;
    try {
      const s = await lstat(at(dir, name));
      if (!s.isDirectory() || (onlyStale && nowMs - s.mtimeMs <= STALE_TEMP_AGE_MS)) continue;
      const vdir = await open(at(dir, name), DIR_FLAGS);
      try {
        for (const f of await readdir(`/proc/self/fd/${vdir.fd}`)) await unlink(at(vdir, f));
      } finally {
        await vdir.close();
      }
      await rmdir(at(dir, name));
    } catch {
      // Best effort: a version that cannot be removed now is removed by a later write.
    }
  }
}

/**
 * Writes a set atomically in `dir` and returns each entry's previous file. On the first write
 * over plain files the previous contents are published as a version first, so converting the
 * configured paths to links never exposes a mixed pair either.
 */
export async function writeSetInDir(
  dir: FileHandle,
  entries: readonly SetEntry[],
  paths: readonly string[],
  opts: { readonly maxPreviousBytes: number; readonly nowMs: number; readonly writeOne: WriteOne },
): Promise<(BeneathFile | null)[]> {
  const before = await currentVersion(dir, paths[0] as string);
  // Versions left by an interrupted write (never made current) are removed once stale.
  await removeOldVersions(dir, before, opts.nowMs, true);
  const previous: (BeneathFile | null)[] = [];
  for (const [i, e] of entries.entries()) previous.push(await readMaybeLinked(dir, e.name, paths[i] as string, opts.maxPreviousBytes));
  const unlinked = [];
  for (const e of entries) if (!(await isOwnLink(dir, e.name))) unlinked.push(e.name);
  if (unlinked.length > 0) {
    const old = entries.flatMap((e, i) => {
      const p = previous[i];
      return p === null || p === undefined ? [] : [{ name: e.name, data: p.data, mode: p.stat.mode & 0o777 }];
    });
    if (old.length > 0 && before === null) await publish(dir, old, opts.nowMs, opts.writeOne);
    for (const name of unlinked) await linkName(dir, name);
  }
  const current = await publish(dir, entries, opts.nowMs, opts.writeOne);
  await removeOldVersions(dir, current, opts.nowMs, false);
  await syncDir(dir);
  return previous;
}

/** Undoes a first atomic write in `dir`: our links for `names`, `..data` and every version directory. */
export async function removeFileSetInDir(dir: FileHandle, names: readonly string[], nowMs: number): Promise<void> {
  for (const name of names) if (await isOwnLink(dir, name)) await unlink(at(dir, name));
  if ((await currentVersion(dir, DATA_LINK)) !== null) await unlink(at(dir, DATA_LINK));
  await removeOldVersions(dir, null, nowMs, false);
  await syncDir(dir);
}

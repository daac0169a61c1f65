/**
 * What a Host reports when a file operation below a grant root would not be safe: a symlink
 * or a non-directory where the walk from the root expects a directory, a hard-linked file, a
 * file that is not a regular file or is too large. Hosts do no grant checks, but they are the
 * only layer that can see these facts at the moment of the operation (fd-relative), so they
 * refuse and the checked sandbox turns the refusal into a DeniedError with the same reason.
 */
import { CertDeployerError, ErrorCode, hasCode } from '../errors.ts';

/** Stable reasons; messages carry paths, never contents. */
export const UnsafeReason = {
  SymlinkComponent: 'a path component below the grant root is a symbolic link or not a directory',
  RootMoved: 'the grant root is no longer the directory it was resolved to',
  Escaped: 'the file would land outside the grant root',
  NotRegular: 'not a regular file',
  HardLinked: 'the file has more than one hard link (it may be an alias of a file outside the grant)',
  TooLarge: 'the file is larger than the read cap',
  FinalSymlink: 'the final path component is a symbolic link',
  NotBeneath: 'the path does not lie below the given root',
} as const;
export type UnsafeReason = (typeof UnsafeReason)[keyof typeof UnsafeReason];

/**
 * Refusal raised by a Host, code `CD_ERR_UNSAFE_PATH`. Not retryable: the path's shape will not
 * change by waiting. `instanceof` checks the code, so it survives duplicate package copies.
 */
export class UnsafePathError extends CertDeployerError {
  readonly reason: UnsafeReason;
  readonly path: string;
  constructor(reason: UnsafeReason, path: string) {
    super(ErrorCode.UnsafePath, `${reason}: ${JSON.stringify(path)}`, { retryable: false });
    this.name = 'UnsafePathError';
    this.reason = reason;
    this.path = path;
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasCode(value, ErrorCode.UnsafePath);
  }
}

/**
 * The components of `path` below `root` (both canonical, lexically normal). Throws when the
 * path is not strictly below the root: a file operation always names something inside it.
 */
export function componentsBelow(root: string, path: string): string[] {
  const prefix = root === '/' ? '/' : `${root}/`;
  if (!path.startsWith(prefix) || path.length === prefix.length) throw new UnsafePathError(UnsafeReason.NotBeneath, path);
  const parts = path.slice(prefix.length).split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) throw new UnsafePathError(UnsafeReason.NotBeneath, path);
  return parts;
}

/**
 * The temp file names this project's writers create: `.<name>.<12 or 16 hex>.tmp` (local) and
 * `.<name>.cd-<16 hex>.tmp` (SFTP). Only exact matches are ever removed as stale.
 */
export const TEMP_FILE_PATTERN = /^\..{1,100}\.(?:[0-9a-f]{12}|cd-[0-9a-f]{16})\.tmp$/;

/**
 * A temp file older than this is left over from an interrupted write (kill -9, a dropped SSH
 * connection): a write holds its temp file for milliseconds, seconds on a slow link, so a
 * minute never removes the temp file of a write still in flight in another process.
 */
export const STALE_TEMP_AGE_MS = 60_000;

/** Pure: whether a directory entry is a temp file of ours abandoned by an interrupted write. */
export function isStaleTemp(name: string, mtimeMs: number, nowMs: number): boolean {
  return TEMP_FILE_PATTERN.test(name) && nowMs - mtimeMs > STALE_TEMP_AGE_MS;
}

/**
 * A Host is where a connector's files and commands live: the local machine (operator running
 * as an agent beside the server) or a remote machine over SSH. Hosts do raw I/O and no grant
 * checks; the checked sandbox wraps a Host and enforces the grant on canonical paths, so the
 * same checks hold on every kind of host.
 */
import type { Duplex } from 'node:stream';
import type { ExecOptions, ExecResult } from '../sandbox.ts';

export interface HostStat {
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly isSymbolicLink: boolean;
  /** Permission bits (`st_mode & 0o7777`); consumers mask again, so a full st_mode is tolerated. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  /** Hard link count; `undefined` when the host cannot tell (never the case on Linux hosts). */
  readonly nlink?: number;
}

/**
 * Cap on one file read through the sandbox: 1 MiB. What connectors read is certificates, keys,
 * chains and CA bundles (the whole Mozilla bundle is about 220 KiB); a bigger file is not
 * certificate material, and reading it whole would let a hostile target (or a FIFO, a
 * `/dev/zero` alias) exhaust the operator's memory.
 */
export const MAX_READ_BYTES = 1024 * 1024;

/** A file read below a root: its bytes and the stat of the opened file (not of a later lookup). */
export interface BeneathFile {
  readonly data: Uint8Array;
  readonly stat: HostStat;
}

/** One file of an atomic set: a plain name in the set's directory. */
export interface FileSetEntry {
  readonly name: string;
  readonly data: Uint8Array;
  readonly mode: number;
}

export interface FileSetOptions {
  readonly owner?: string | number | undefined;
  readonly group?: string | number | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly maxPreviousBytes: number;
}

export interface BeneathReadOptions {
  /** Refuse (UnsafePathError TooLarge) a file larger than this. */
  readonly maxBytes: number;
  readonly signal?: AbortSignal;
}

export interface AtomicWriteOptions {
  readonly mode: number;
  readonly owner?: string | number;
  readonly group?: string | number;
  readonly signal?: AbortSignal;
}

export interface Host {
  readonly kind: 'local' | 'ssh';
  /** A human label for messages (`local`, `deploy@edge-1:22`). Never contains credentials. */
  readonly label: string;
  /** Resolves every symlink of an existing path; throws an error with code 'ENOENT' when missing. */
  realpath(path: string, signal?: AbortSignal): Promise<string>;
  /** lstat: `null` when the path does not exist. */
  lstat(path: string, signal?: AbortSignal): Promise<HostStat | null>;
  /**
   * Reads `path` (canonical, strictly below the canonical `root`) without following a symlink
   * at any component below `root`; `null` when it does not exist. Refuses (UnsafePathError) a
   * symlinked component, a non-regular or hard-linked file and one larger than `maxBytes`.
   */
  readFileBeneath(root: string, path: string, opts: BeneathReadOptions): Promise<BeneathFile | null>;
  /**
   * Replaces `path` below `root` atomically, never following a symlink below `root`: reads
   * the previous file through the same no-follow walk (the refusals of `readFileBeneath`
   * apply to it), removes stale temp files of interrupted writes in that directory, writes a
   * temp file created with `mode` from the start (a key is never readable by others, not even
   * for a moment), applies owner/group, syncs and renames it over the target. Returns the
   * previous file, `null` when there was none.
   */
  replaceFileBeneath(root: string, path: string, data: Uint8Array, opts: AtomicWriteOptions & { readonly maxPreviousBytes: number }): Promise<BeneathFile | null>;
  /**
   * Writes a set of files in the directory `dir` (canonical, below or equal to the canonical
   * `root`) so that they change together with one rename: the atomic layout of
   * local-file-set.ts (`..data` swapped to a new version directory, the configured names
   * linked to `..data/<name>`). Same no-follow walk and refusals as `replaceFileBeneath`;
   * returns each entry's previous file (`null` when it had none).
   */
  writeFileSetBeneath(root: string, dir: string, entries: readonly FileSetEntry[], opts: FileSetOptions): Promise<(BeneathFile | null)[]>;
  /** Undoes a first atomic write: removes the named links, `..data` and the version directories in `dir`. */
  removeFileSetBeneath(root: string, dir: string, names: readonly string[], signal?: AbortSignal): Promise<void>;
  /** Removes `path` below `root` without following symlinks below it; no error when already gone. */
  unlinkBeneath(root: string, path: string, signal?: AbortSignal): Promise<void>;
  /** Runs argv without a shell (over SSH: each argument single-quoted for the remote shell). */
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Opens a stream to a unix socket on this host (over SSH: direct-streamlocal forwarding). */
  connectUnix(path: string, signal?: AbortSignal): Promise<Duplex>;
  /** Releases connections. Idempotent. */
  close(): Promise<void>;
}

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
  /** Whole file contents; `null` when it does not exist. */
  readFile(path: string, signal?: AbortSignal): Promise<Uint8Array | null>;
  /**
   * Writes a temp file in the same directory, created with `mode` from the start (so a key is
   * never world-readable, not even for a moment), applies owner/group, syncs, then renames.
   */
  writeFileAtomic(path: string, data: Uint8Array, opts: AtomicWriteOptions): Promise<void>;
  /** Removes a file; no error when it is already gone. */
  unlink(path: string, signal?: AbortSignal): Promise<void>;
  /** Runs argv without a shell (over SSH: each argument single-quoted for the remote shell). */
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Opens a stream to a unix socket on this host (over SSH: direct-streamlocal forwarding). */
  connectUnix(path: string, signal?: AbortSignal): Promise<Duplex>;
  /** Releases connections. Idempotent. */
  close(): Promise<void>;
}

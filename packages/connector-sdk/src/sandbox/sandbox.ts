/**
 * The Sandbox is the only way a connector touches the world. Every method checks the
 * effective grant first and throws DeniedError for anything outside it. Arguments and
 * results are plain data (plus AbortSignal), so a connector can later run in another process.
 */
import type { Grant } from './grant.ts';

export interface FileWriteOptions {
  /** Octal mode; key files default to 0o600, everything else to 0o644. */
  readonly mode?: number;
  /** Numeric uid or user name; unset keeps the process's (or the SSH user's) identity. */
  readonly owner?: string | number;
  readonly group?: string | number;
  readonly signal?: AbortSignal;
}

/** What a write replaced, so it can be restored. `previous === null` means the file did not exist. */
export interface FileWrite {
  readonly path: string;
  readonly previous: Uint8Array | null;
  readonly previousMode: number | null;
  /**
   * Previous owner and group ids, recorded only when the write set an owner or group (then the
   * writer may chown, and restore puts the old ids back). Absent: restore keeps the identity
   * of the writer, exactly as the write did.
   */
  readonly previousUid?: number;
  readonly previousGid?: number;
}

/** One file of an atomic set. All files of a set live in one directory. */
export interface FileSetEntry {
  readonly path: string;
  readonly data: Uint8Array | string;
  /** As in FileWriteOptions: key files default to 0o600, everything else to 0o644. */
  readonly mode?: number;
}

/** What `writeFileSet` replaced, in the order of the entries, so it can be restored. */
export interface FileSetWrite {
  readonly paths: readonly string[];
  /** Previous contents; `null` where there was no file. */
  readonly previous: readonly (Uint8Array | null)[];
  readonly previousModes: readonly (number | null)[];
}

export interface ExecOptions {
  readonly timeoutMs?: number;
  /** Cap on captured stdout and stderr each; output past it is dropped and `truncated` set. */
  readonly maxOutputBytes?: number;
  readonly stdin?: Uint8Array | string;
  readonly signal?: AbortSignal;
}

export interface ExecResult {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly truncated: boolean;
  readonly timedOut: boolean;
}

export interface HttpRequest {
  readonly url: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | string;
  readonly timeoutMs?: number;
  /** Extra PEM CA bundle to trust for this origin (never disables verification). */
  readonly ca?: string;
  readonly signal?: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

export interface SocketSendOptions {
  readonly timeoutMs?: number;
  readonly maxResponseBytes?: number;
  readonly signal?: AbortSignal;
}

export interface TlsProbeOptions {
  /** `host:port` to connect to; must be in the dial grant. */
  readonly address: string;
  /** SNI; defaults to the host when it is a name. */
  readonly serverName?: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface TlsProbeResult {
  /** Lowercase hex SHA-256 of each served certificate's DER, leaf first. */
  readonly fingerprints: readonly string[];
  readonly protocol: string | null;
  /** notAfter of the served leaf (RFC 3339, seconds), for expiry of what is actually served. */
  readonly leafNotAfter?: string | null;
}

export interface Sandbox {
  /** The effective grant (declaration ∩ policy) this sandbox enforces. */
  readonly grant: Grant;
  /** Reads a file; `null` when it does not exist. */
  readFile(path: string, opts?: { signal?: AbortSignal }): Promise<Uint8Array | null>;
  /** Atomic write (temp file + rename in the same directory) with owner and mode. */
  writeFile(path: string, data: Uint8Array | string, opts?: FileWriteOptions): Promise<FileWrite>;
  /** Puts back what `writeFile` replaced (deletes the file when it did not exist before). */
  restoreFile(write: FileWrite, opts?: { signal?: AbortSignal }): Promise<void>;
  /**
   * Writes files of one directory so that they change together (certificate and key never a
   * mismatched pair on disk): a new version directory and one rename of the `..data` link;
   * the given paths become links `name -> ..data/name` on the first call. Reading a path
   * written this way with `readFile` returns the current version.
   */
  writeFileSet(files: readonly FileSetEntry[], opts?: Omit<FileWriteOptions, 'mode'>): Promise<FileSetWrite>;
  /** Puts back what `writeFileSet` replaced (removes the set when nothing was there before). */
  restoreFileSet(write: FileSetWrite, opts?: { signal?: AbortSignal }): Promise<void>;
  /** Runs an exact argv, never through a shell. A non-zero exit is a result, not an exception. */
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** HTTP(S) through the granted dispatcher. */
  request(req: HttpRequest): Promise<HttpResponse>;
  /** Writes `data` to a stream socket (`host:port` or `unix:/path`) and reads until EOF. */
  send(address: string, data: Uint8Array | string, opts?: SocketSendOptions): Promise<Uint8Array>;
  /** Fresh TLS handshake (SNI, no session reuse) returning the served chain's fingerprints. */
  tlsProbe(opts: TlsProbeOptions): Promise<TlsProbeResult>;
}

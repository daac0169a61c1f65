/**
 * Limits every Host applies to a command, and the bounded capture of its output. Shared by the
 * local and the SSH host so both truncate, time out and kill the same way.
 */

/** Cap on captured stdout and on captured stderr (each) when the caller sets none. */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

/** A command that runs longer is terminated. Reloads take seconds; a minute means "stuck". */
export const DEFAULT_EXEC_TIMEOUT_MS = 60_000;

/** Time between SIGTERM and SIGKILL when a command is stopped. */
export const KILL_GRACE_MS = 2_000;

/**
 * Collects a stream's bytes up to a limit and keeps draining past it (so the child never blocks
 * on a full pipe), remembering that it dropped something.
 */
export class BoundedOutput {
  readonly #limit: number;
  readonly #chunks: Buffer[] = [];
  #size = 0;
  #truncated = false;

  constructor(limit: number) {
    this.#limit = Math.max(0, Math.floor(limit));
  }

  /** Appends a chunk, keeping only what fits under the limit. */
  push(chunk: Buffer | Uint8Array | string): void {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const room = this.#limit - this.#size;
    if (buf.length > room) this.#truncated = true;
    if (room <= 0) return;
    const kept = buf.length > room ? buf.subarray(0, room) : buf;
    this.#chunks.push(Buffer.from(kept));
    this.#size += kept.length;
  }

  /** True when any byte was dropped. */
  get truncated(): boolean {
    return this.#truncated;
  }

  /** The kept bytes as UTF-8 (a character cut at the limit becomes U+FFFD). */
  text(): string {
    return Buffer.concat(this.#chunks).toString('utf8');
  }
}

/** The effective output cap for a request, validated (non-negative integer). */
export function outputLimit(maxOutputBytes: number | undefined): number {
  if (maxOutputBytes === undefined || !Number.isFinite(maxOutputBytes) || maxOutputBytes < 0) return DEFAULT_MAX_OUTPUT_BYTES;
  return Math.floor(maxOutputBytes);
}

/** The effective timeout for a request (positive), or the default. */
export function execTimeout(timeoutMs: number | undefined): number {
  if (timeoutMs === undefined || !Number.isFinite(timeoutMs) || timeoutMs <= 0) return DEFAULT_EXEC_TIMEOUT_MS;
  return timeoutMs;
}

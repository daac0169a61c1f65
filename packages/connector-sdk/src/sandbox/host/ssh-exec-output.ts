/**
 * Removal of the pid announcement (see `remoteCommand`) from a remote command's stderr, kept
 * apart from channel plumbing so it can be tested on plain buffers.
 */

/** Give up looking for the announcement after this much stderr (login-shell noise). */
export const MAX_PRELUDE_BYTES = 64 * 1024;

/**
 * Passes stderr through to `sink` except for the first `MARKER PID` line, whose pid it
 * reports. Bytes before the line (output of the remote login shell's rc files) are kept, in
 * order. If the line never comes within MAX_PRELUDE_BYTES, everything is passed through.
 */
export class PidAnnouncementFilter {
  readonly #marker: Buffer;
  readonly #sink: (chunk: Buffer) => void;
  readonly #onPid: (pid: number) => void;
  #pending: Buffer | null = Buffer.alloc(0);

  constructor(marker: string, sink: (chunk: Buffer) => void, onPid: (pid: number) => void) {
    this.#marker = Buffer.from(`${marker} `, 'latin1');
    this.#sink = sink;
    this.#onPid = onPid;
  }

  push(chunk: Buffer): void {
    if (this.#pending === null) return this.#sink(chunk);
    const buf = Buffer.concat([this.#pending, chunk]);
    const at = buf.indexOf(this.#marker);
    const eol = at < 0 ? -1 : buf.indexOf(0x0a, at);
    if (eol >= 0) {
      const pid = Number(buf.subarray(at + this.#marker.length, eol).toString('latin1'));
      this.#pending = null;
      if (at > 0) this.#sink(buf.subarray(0, at));
      if (Number.isSafeInteger(pid) && pid > 1) this.#onPid(pid);
      if (eol + 1 < buf.length) this.#sink(buf.subarray(eol + 1));
      return;
    }
    if (buf.length > MAX_PRELUDE_BYTES) {
      this.#pending = null;
      this.#sink(buf);
      return;
    }
    this.#pending = buf;
  }

  /** End of stream: whatever is still held back is output. */
  flush(): void {
    if (this.#pending !== null && this.#pending.length > 0) this.#sink(this.#pending);
    this.#pending = null;
  }
}

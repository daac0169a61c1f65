/**
 * Running one argv on an SSH host through an exec channel of the shared connection.
 *
 * The argv travels as one POSIX-quoted command string (see ssh-quote.ts), which the remote
 * login shell turns back into exactly that argv. Output is captured up to a cap per stream
 * (more is read and dropped, so the remote process never blocks on a full window) and
 * `truncated` says so. A non-zero exit is a result, not an exception.
 *
 * Stopping a command (timeout or abort) sends the SSH "signal" request for KILL. OpenSSH's sshd
 * delivers it with killpg() to the session's process group, so children die too; the channel
 * is closed after a grace period in case the server ignores signal requests. ssh2 only lets
 * `channel.signal()` through while our side of the channel is writable, and we have already
 * sent EOF after stdin, so the request is written through ssh2's protocol object directly
 * (sending a channel request after EOF is allowed by RFC 4254).
 */
import type { ClientChannel } from 'ssh2';
import { CertDeployerError, ErrorCode } from '../errors.ts';
import type { ExecOptions, ExecResult } from '../sandbox.ts';
import type { SshConnection } from './ssh-connection.ts';
import { unreachableError } from './ssh-errors.ts';
import { shellJoin } from './ssh-quote.ts';

/** Commands on a host are reloads and checks; two minutes is generous and still bounded. */
export const DEFAULT_EXEC_TIMEOUT_MS = 120_000;
/** Per stream. Enough for `nginx -t` and `haproxy -c` diagnostics, small enough to log. */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
/** How long a killed command may take to report its exit before the channel is closed. */
export const KILL_GRACE_MS = 2_000;

/** Collects a stream up to `cap` bytes and remembers whether anything was dropped. */
class CappedBuffer {
  readonly #cap: number;
  readonly #chunks: Buffer[] = [];
  #size = 0;
  truncated = false;
  constructor(cap: number) {
    this.#cap = cap;
  }
  push(chunk: Buffer): void {
    const room = this.#cap - this.#size;
    if (chunk.length > room) this.truncated = true;
    if (room <= 0) return;
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.#chunks.push(kept);
    this.#size += kept.length;
  }
  text(): string {
    return Buffer.concat(this.#chunks, this.#size).toString('utf8');
  }
}

/** Sends an SSH signal request even after our EOF (see the file comment). */
export function signalChannel(channel: ClientChannel, name: string): void {
  if (channel.writable) {
    channel.signal(name);
    return;
  }
  const internals = channel as unknown as {
    _client?: { _protocol?: { signal?: (id: number, name: string) => void } };
    outgoing?: { id?: number; state?: string };
  };
  const proto = internals._client?._protocol;
  const { id, state } = internals.outgoing ?? {};
  if (typeof proto?.signal === 'function' && typeof id === 'number' && (state === 'open' || state === 'eof')) {
    proto.signal(id, name);
  }
}

function openExecChannel(conn: SshConnection, label: string, command: string): Promise<ClientChannel> {
  return conn.withClient(
    (client) =>
      new Promise<ClientChannel>((resolve, reject) => {
        client.exec(command, (err, channel) => {
          if (err) reject(unreachableError(label, `cannot open an exec channel (${err.message})`, { cause: err }));
          else resolve(channel);
        });
      }),
  );
}

/** Runs `argv` on the host. Rejects only for transport failures, invalid argv, or abort. */
export async function execOverSsh(conn: SshConnection, label: string, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const command = shellJoin(argv);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
  const cap = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  if (!(timeoutMs > 0) || !Number.isInteger(cap) || cap < 0) {
    throw new CertDeployerError(ErrorCode.Exec, `exec: invalid options (timeoutMs ${String(timeoutMs)}, maxOutputBytes ${String(cap)})`);
  }
  const { signal } = opts;
  signal?.throwIfAborted();
  const channel = await openExecChannel(conn, label, command);

  return new Promise<ExecResult>((resolve, reject) => {
    const stdout = new CappedBuffer(cap);
    const stderr = new CappedBuffer(cap);
    let exitCode: number | null = null;
    let exitSignal: string | null = null;
    let timedOut = false;
    let aborted = false;
    let graceTimer: NodeJS.Timeout | undefined;

    const stop = (): void => {
      if (graceTimer !== undefined) return;
      signalChannel(channel, 'KILL');
      graceTimer = setTimeout(() => channel.close(), KILL_GRACE_MS);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      stop();
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    channel.on('data', (chunk: Buffer) => stdout.push(chunk));
    channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    channel.on('exit', (code: number | null, sig?: string) => {
      exitCode = typeof code === 'number' ? code : null;
      exitSignal = typeof sig === 'string' ? sig : null;
    });
    channel.on('error', () => {
      // A channel error is followed by 'close'; the missing exit status tells the story.
    });
    channel.once('close', () => {
      clearTimeout(timer);
      clearTimeout(graceTimer);
      signal?.removeEventListener('abort', onAbort);
      if (aborted) {
        reject(signal?.reason ?? new DOMException('The operation was aborted', 'AbortError'));
        return;
      }
      if (exitCode === null && exitSignal === null && !timedOut) {
        reject(unreachableError(label, `connection lost while running ${JSON.stringify(argv[0])}`));
        return;
      }
      resolve({
        exitCode,
        signal: exitSignal,
        stdout: stdout.text(),
        stderr: stderr.text(),
        truncated: stdout.truncated || stderr.truncated,
        timedOut,
      });
    });

    if (opts.stdin !== undefined) channel.end(opts.stdin);
    else channel.end();
  });
}

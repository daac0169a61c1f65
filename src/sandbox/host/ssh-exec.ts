/**
 * Running one argv on an SSH host through an exec channel of the shared connection.
 *
 * The argv travels as one POSIX-quoted command string (see ssh-quote.ts), which the remote
 * login shell turns back into exactly that argv. Output is captured up to a cap per stream
 * (more is read and dropped, so the remote process never blocks on a full window) and
 * `truncated` says so. A non-zero exit is a result, not an exception.
 *
 * Stopping a command (timeout or abort) must really stop it, or a hung reload holds the
 * channel (and the server's process table) forever. Two mechanisms, because neither covers all:
 * - the SSH "signal" request for KILL, which sshd delivers with killpg() — but only with
 *   privilege separation, which sshd skips for root logins;
 * - `kill -s KILL -- -PID` on a second channel, where PID is the process group the command
 *   announced on stderr before exec'ing (see `pidAnnouncingCommand`; the line is removed
 *   from the captured stderr).
 * If the channel still has not closed after KILL_GRACE_MS, it is closed and the result is
 * returned anyway.
 */
import { randomBytes } from 'node:crypto';
import type { ClientChannel } from 'ssh2';
import { CertDeployerError, ErrorCode } from '../errors.ts';
import type { ExecOptions, ExecResult } from '../sandbox.ts';
import type { SshConnection } from './ssh-connection.ts';
import { unreachableError } from './ssh-errors.ts';
import { CappedBuffer, PidAnnouncementFilter } from './ssh-exec-output.ts';
import { pidAnnouncingCommand, shellJoin } from './ssh-quote.ts';

/** Commands on a host are reloads and checks; two minutes is generous and still bounded. */
export const DEFAULT_EXEC_TIMEOUT_MS = 120_000;
/** Per stream. Enough for `nginx -t` and `haproxy -c` diagnostics, small enough to log. */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
/** How long a killed command may take to report its exit before we stop waiting. */
export const KILL_GRACE_MS = 3_000;

/**
 * Sends an SSH signal request. ssh2's `channel.signal()` only works while our side is
 * writable, and we send EOF right after stdin; RFC 4254 allows channel requests after EOF,
 * so the request then goes through ssh2's protocol object directly.
 */
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

/** Kills a remote process group on a separate channel; best effort, never throws. */
async function killGroup(conn: SshConnection, label: string, pgid: number): Promise<void> {
  try {
    const channel = await openExecChannel(conn, label, shellJoin(['kill', '-s', 'KILL', '--', `-${pgid}`]));
    channel.on('data', () => undefined);
    channel.stderr.on('data', () => undefined);
    const timer = setTimeout(() => channel.close(), KILL_GRACE_MS);
    channel.once('close', () => clearTimeout(timer));
    channel.end();
  } catch {
    // The connection is gone: then so is the session, and sshd hangs up its processes.
  }
}

/** Runs `argv` on the host. Rejects only for transport failures, invalid argv, or abort. */
export async function execOverSsh(conn: SshConnection, label: string, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const marker = `cd-pid-${randomBytes(12).toString('hex')}`;
  const command = pidAnnouncingCommand(argv, marker);
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
    let pgid: number | null = null;
    let stopping = false;
    let timedOut = false;
    let aborted = false;
    let finished = false;
    let exitCode: number | null = null;
    let exitSignal: string | null = null;
    let graceTimer: NodeJS.Timeout | undefined;

    const stderrFilter = new PidAnnouncementFilter(marker, (c) => stderr.push(c), (pid) => {
      pgid = pid;
      if (stopping) void killGroup(conn, label, pid);
    });

    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      clearTimeout(graceTimer);
      signal?.removeEventListener('abort', onAbort);
      stderrFilter.flush();
      if (aborted) {
        reject(signal?.reason ?? new DOMException('The operation was aborted', 'AbortError'));
      } else if (exitCode === null && exitSignal === null && !timedOut) {
        reject(unreachableError(label, `connection lost while running ${JSON.stringify(argv[0])}`));
      } else {
        resolve({
          exitCode,
          signal: exitSignal ?? (timedOut && exitCode === null ? 'SIGKILL' : null),
          stdout: stdout.text(),
          stderr: stderr.text(),
          truncated: stdout.truncated || stderr.truncated,
          timedOut,
        });
      }
    };
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      signalChannel(channel, 'KILL');
      if (pgid !== null) void killGroup(conn, label, pgid);
      graceTimer = setTimeout(() => {
        channel.close();
        finish();
      }, KILL_GRACE_MS);
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
    channel.stderr.on('data', (chunk: Buffer) => stderrFilter.push(chunk));
    channel.on('exit', (code: number | null, sig?: string) => {
      exitCode = typeof code === 'number' ? code : null;
      exitSignal = typeof sig === 'string' ? sig : null;
    });
    channel.on('error', () => {
      // A channel error is followed by 'close'; the missing exit status tells the story.
    });
    channel.once('close', finish);

    if (opts.stdin !== undefined) channel.end(opts.stdin);
    else channel.end();
  });
}

/**
 * Running one argv on an SSH host through an exec channel of the shared connection.
 *
 * The argv travels as one POSIX-quoted command string (see ssh-quote.ts), which the remote
 * login shell turns back into exactly that argv. Limits are the local host's (exec-limits.ts):
 * output captured up to a cap per stream (the rest is read and dropped, so the remote process
 * never blocks on a full window, and `truncated` says so), a default timeout, SIGTERM and then
 * SIGKILL after a grace period. A non-zero exit is a result, not an exception.
 *
 * Stopping a command (timeout or abort) must really stop it, or a hung reload holds the
 * channel (and the server's process table) forever. Two mechanisms, because neither covers all:
 * - the SSH "signal" request, which sshd delivers with killpg() — but only with privilege
 *   separation, which sshd skips for root logins;
 * - `kill -s SIG -- -PID` on a second channel, where PID is the process group the command
 *   announced on stderr before exec'ing (the line is removed from the captured stderr).
 * If the channel has still not closed a grace period after SIGKILL, it is closed and the result
 * returned without an exit status.
 */
import { randomBytes } from 'node:crypto';
import type { ClientChannel } from 'ssh2';
import type { ExecOptions, ExecResult } from '../sandbox.ts';
import { BoundedOutput, execTimeout, KILL_GRACE_MS, outputLimit } from './exec-limits.ts';
import type { SshConnection } from './ssh-connection.ts';
import { unreachableError } from './ssh-errors.ts';
import { PidAnnouncementFilter } from './ssh-exec-output.ts';
import { remoteCommand, shellJoin } from './ssh-quote.ts';

type StopSignal = 'TERM' | 'KILL';

/**
 * Sends an SSH signal request. ssh2's `channel.signal()` only works while our side is
 * writable, and we send EOF right after stdin; RFC 4254 allows channel requests after EOF,
 * so the request then goes through ssh2's protocol object directly.
 */
export function signalChannel(channel: ClientChannel, name: StopSignal): void {
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

/** Signals a remote process group from a separate channel; best effort, never throws. */
async function signalGroup(conn: SshConnection, label: string, pgid: number, sig: StopSignal): Promise<void> {
  try {
    const channel = await openExecChannel(conn, label, shellJoin(['kill', '-s', sig, '--', `-${pgid}`]));
    channel.on('data', () => undefined);
    channel.stderr.on('data', () => undefined);
    const timer = setTimeout(() => channel.close(), KILL_GRACE_MS);
    channel.once('close', () => clearTimeout(timer));
    channel.end();
  } catch {
    // The connection is gone: then so is the session, and sshd hangs up its processes.
  }
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException('The operation was aborted', 'AbortError');
}

/** Runs `argv` on the host. Rejects only for transport failures, invalid argv, or abort. */
export async function execOverSsh(conn: SshConnection, label: string, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const marker = `cd-pid-${randomBytes(12).toString('hex')}`;
  const command = remoteCommand(argv, marker);
  const { signal } = opts;
  if (signal?.aborted === true) throw abortReason(signal);
  const limit = outputLimit(opts.maxOutputBytes);
  const channel = await openExecChannel(conn, label, command);

  return new Promise<ExecResult>((resolve, reject) => {
    const stdout = new BoundedOutput(limit);
    const stderr = new BoundedOutput(limit);
    let pgid: number | null = null;
    let level: StopSignal | null = null;
    let timedOut = false;
    let aborted = false;
    let finished = false;
    let exitCode: number | null = null;
    let exitSignal: string | null = null;
    const timers: NodeJS.Timeout[] = [];

    const send = (sig: StopSignal): void => {
      level = sig;
      signalChannel(channel, sig);
      if (pgid !== null) void signalGroup(conn, label, pgid, sig);
    };
    const stderrFilter = new PidAnnouncementFilter(marker, (c) => stderr.push(c), (pid) => {
      pgid = pid;
      if (level !== null) void signalGroup(conn, label, pid, level);
    });

    const finish = (): void => {
      if (finished) return;
      finished = true;
      timers.forEach(clearTimeout);
      signal?.removeEventListener('abort', onAbort);
      stderrFilter.flush();
      if (aborted) {
        reject(abortReason(signal));
      } else if (exitCode === null && exitSignal === null && !timedOut) {
        reject(unreachableError(label, `connection lost while running ${JSON.stringify(argv[0])}`));
      } else {
        resolve({
          exitCode,
          signal: exitSignal,
          stdout: stdout.text(),
          stderr: stderr.text(),
          truncated: stdout.truncated || stderr.truncated,
          timedOut,
        });
      }
    };
    const stop = (): void => {
      if (level !== null) return;
      send('TERM');
      timers.push(
        setTimeout(() => {
          send('KILL');
          timers.push(
            setTimeout(() => {
              channel.close();
              finish();
            }, KILL_GRACE_MS),
          );
        }, KILL_GRACE_MS),
      );
    };
    timers.push(
      setTimeout(() => {
        timedOut = true;
        stop();
      }, execTimeout(opts.timeoutMs)),
    );
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

/**
 * Runs an argv as a local child process: never through a shell, in its own process group (so a
 * timeout also stops the children it forked), with a minimal environment (the operator's own
 * environment may hold cloud credentials), bounded output, a timeout (SIGTERM, then SIGKILL)
 * and AbortSignal support. A non-zero exit is a result, not an exception.
 */
import { spawn } from 'node:child_process';
import { CertDeployerError, ErrorCode } from '../errors.ts';
import type { ExecOptions, ExecResult } from '../sandbox.ts';
import { BoundedOutput, execTimeout, KILL_GRACE_MS, outputLimit } from './exec-limits.ts';
import { commandEnvironment, isAbsoluteProgram } from './exec-environment.ts';

export { commandEnvironment } from './exec-environment.ts';

/** Refuses argv shapes `spawn` would misread or reject later with a less useful message. */
export function assertArgv(argv: readonly unknown[]): asserts argv is readonly string[] {
  if (!Array.isArray(argv) || argv.length === 0) throw new CertDeployerError(ErrorCode.Exec, 'argv must be a non-empty array');
  argv.forEach((a, i) => {
    if (typeof a !== 'string') throw new CertDeployerError(ErrorCode.Exec, `argv[${i}] is not a string`);
    if (a.includes('\0')) throw new CertDeployerError(ErrorCode.Exec, `argv[${i}] contains a NUL byte`);
  });
  if (!isAbsoluteProgram(argv[0])) {
    throw new CertDeployerError(ErrorCode.Exec, `argv[0] ${JSON.stringify(argv[0])} must be an absolute path to the program (no PATH lookup)`);
  }
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('The operation was aborted', 'AbortError');
}

/** Runs `argv` locally; see the module comment for the guarantees. */
export async function runProcess(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  assertArgv(argv);
  const signal = opts.signal;
  if (signal?.aborted === true) throw abortReason(signal);
  const limit = outputLimit(opts.maxOutputBytes);
  const stdout = new BoundedOutput(limit);
  const stderr = new BoundedOutput(limit);

  return new Promise<ExecResult>((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), {
      shell: false,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: commandEnvironment(),
      windowsHide: true,
    });
    let timedOut = false;
    let aborted = false;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;

    const killGroup = (sig: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        child.kill(sig);
      }
    };
    const stop = (): void => {
      killGroup('SIGTERM');
      killTimer ??= setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, execTimeout(opts.timeoutMs));
    const onAbort = (): void => {
      aborted = true;
      stop();
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (c: Buffer) => stdout.push(c));
    child.stderr.on('data', (c: Buffer) => stderr.push(c));
    child.stdin.on('error', () => {
      // The program may exit without reading its stdin (EPIPE); its exit status tells the story.
    });
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
    else child.stdin.end();

    const cleanup = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      if (killTimer !== undefined) clearTimeout(killTimer);
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      // Only a failure to start settles here; later errors (a failed kill) end in 'close'.
      if (child.pid !== undefined || !cleanup()) return;
      reject(new CertDeployerError(ErrorCode.Exec, `cannot run ${JSON.stringify(argv[0])}: ${err.code ?? 'spawn failed'}`, { cause: err }));
    });
    child.on('close', (code, sig) => {
      if (!cleanup()) return;
      if (aborted && signal !== undefined) {
        reject(abortReason(signal));
        return;
      }
      resolve({
        exitCode: code,
        signal: sig,
        stdout: stdout.text(),
        stderr: stderr.text(),
        truncated: stdout.truncated || stderr.truncated,
        timedOut,
      });
    });
  });
}

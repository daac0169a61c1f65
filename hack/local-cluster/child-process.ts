/**
 * Starts a server binary so that it can never outlive us: it runs under
 * `setpriv --pdeathsig KILL`, so the kernel kills it when the Node process dies, even on
 * SIGKILL or a crash where no exit handler runs. Its output goes to a log file kept for
 * diagnostics until teardown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logPath: string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<number | null>;
  /** The last lines of its log, for error messages. */
  tail(lines?: number): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`. Resolves when it is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** Spawns `bin args` with parent-death protection and its output captured in `logPath`; `env` replaces the inherited environment. */
export function startManaged(name: string, bin: string, args: readonly string[], logPath: string, env?: NodeJS.ProcessEnv): ManagedProcess {
  const log = createWriteStream(logPath);
  const child: ChildProcess = spawn('setpriv', ['--pdeathsig', 'KILL', '--', bin, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(env === undefined ? {} : { env }),
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.on('error', () => resolve(-1));
  });
  void exited.then(() => log.end());
  if (child.pid === undefined) throw new Error(`${name}: failed to spawn ${bin}`);
  const pid = child.pid;

  return {
    name,
    pid,
    logPath,
    exited,
    async tail(lines = 30) {
      const text = await readFile(logPath, 'utf8').catch(() => '');
      return text.split('\n').slice(-lines).join('\n');
    },
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

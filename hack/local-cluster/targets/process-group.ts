/**
 * Starts a forking server (nginx master + workers, httpd parent + children) so that no process
 * of it can outlive the test run, however the run ends.
 *
 * `setpriv --pdeathsig KILL` alone is not enough here: the kernel clears the parent-death
 * signal on fork, so nginx workers and httpd children survive a SIGKILLed master (checked:
 * they keep serving the port). So the server runs as the leader of its own process group, and
 * a watchdog — a detached `sh` whose stdin is a pipe from this process — kills that whole group
 * when the pipe closes. The pipe closes when this process exits for any reason, SIGKILL
 * included, because the kernel closes its file descriptors. A normal `stop()` ends the server
 * gracefully, kills anything left in the group, then ends the watchdog by its pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

export interface ServerProcess {
  readonly pid: number;
  /** Resolves with the exit code (or null after a signal) when the group leader has exited. */
  readonly exited: Promise<number | null>;
  alive(): boolean;
  /** The server's stdout and stderr so far. */
  output(): Promise<string>;
  /** `signal` to the leader, SIGKILL to the group after `graceMs`, then the watchdog goes. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is already gone
  }
}

/** Spawns `bin args` as a process-group leader with a watchdog; output goes to `logPath`. */
export function startServerProcess(bin: string, args: readonly string[], logPath: string): ServerProcess {
  const logFd = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', bin, ...args], { detached: true, stdio: ['ignore', logFd, logFd] });
  } finally {
    closeSync(logFd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`cannot spawn ${bin}`);
  let running = true;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      running = false;
      resolve(code);
    });
    child.once('error', () => {
      running = false;
      resolve(-1);
    });
  });
  child.unref();

  // `read` returns at EOF, i.e. when every writer of the pipe (only this process) is gone.
  const watchdog = spawn('sh', ['-c', `read _; kill -KILL -${pid} 2>/dev/null`], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();

  return {
    pid,
    exited,
    alive: () => running,
    output: () => readFile(logPath, 'utf8').catch(() => ''),
    async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000) {
      // Unreferenced while running (a server must not keep the test process alive); waited for now.
      child.ref();
      watchdog.ref();
      if (running) {
        try {
          process.kill(pid, signal);
        } catch {
          // exited meanwhile
        }
        const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      // Workers or children that outlived their leader.
      killGroup(pid, 'SIGKILL');
      if (watchdog.exitCode === null && watchdog.signalCode === null) {
        const gone = new Promise<void>((resolve) => watchdog.once('exit', () => resolve()));
        watchdog.kill('SIGKILL');
        await gone;
      }
    },
  };
}

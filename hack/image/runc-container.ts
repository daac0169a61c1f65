/**
 * One container run by `runc` directly (no podman, no daemon): a bundle directory with the
 * given runtime spec, `runc run` in the foreground with the container's output in a log file.
 *
 * No stray container: runc's state lives in a fixed directory, container ids carry the pid of
 * the test process that made them, and every start first deletes containers whose maker is
 * gone (a SIGKILLed run leaves nothing behind for long); a normal exit deletes its own.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** runc's state root for the tests and the local environment (tmpfs, so it never outlives a reboot). */
export const RUNC_ROOT = '/run/cert-deployer-test-runc';
/** Container ids are `cd-<kind>-<maker pid>-<random>`: the pid tells whether the maker is gone. */
const OWNER = /^cd-[a-z]+-(\d+)-/;

export interface RuncContainer {
  readonly id: string;
  readonly logPath: string;
  /** When `runc run` was spawned (performance.now()). */
  readonly startedAt: number;
  /** Resolves with runc's exit code (the container's) once it has exited. */
  readonly exited: Promise<number | null>;
  /** The container's init process as the host sees it (from `runc state`). */
  hostPid(): Promise<number>;
  log(): Promise<string>;
  /** SIGTERM to the container, SIGKILL after `graceMs`, then `runc delete`. */
  stop(graceMs?: number): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Deletes containers left by test processes that no longer exist. */
async function sweepOrphans(): Promise<void> {
  const { stdout } = await run('runc', ['--root', RUNC_ROOT, 'list', '--format', 'json']);
  const list = (JSON.parse(stdout || 'null') ?? []) as { id: string }[];
  for (const { id } of list) {
    const owner = Number(OWNER.exec(id)?.[1]);
    if (Number.isInteger(owner) && !alive(owner)) await run('runc', ['--root', RUNC_ROOT, 'delete', '--force', id]).catch(() => undefined);
  }
}

/**
 * Writes `spec` as the bundle's config.json under `workDir` and starts it with runc; `kind`
 * names the maker in the container id (`image` for the tests, `local` for hack/demo.sh).
 */
export async function runContainer(spec: Record<string, unknown>, workDir: string, kind = 'image'): Promise<RuncContainer> {
  await mkdir(RUNC_ROOT, { recursive: true, mode: 0o700 });
  await sweepOrphans();
  const bundle = join(workDir, 'bundle');
  await mkdir(bundle, { recursive: true });
  await writeFile(join(bundle, 'config.json'), JSON.stringify(spec, null, 2));
  const id = `cd-${kind}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const logPath = join(workDir, 'container.log');
  const fd = openSync(logPath, 'a');
  const startedAt = performance.now();
  const child = spawn('runc', ['--root', RUNC_ROOT, 'run', '--bundle', bundle, id], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.on('error', () => resolve(-1));
  });
  const forceDelete = (): void => {
    try {
      execFileSync('runc', ['--root', RUNC_ROOT, 'delete', '--force', id], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  };
  process.once('exit', forceDelete);
  const runc = (...args: string[]) => run('runc', ['--root', RUNC_ROOT, ...args]);

  return {
    id,
    logPath,
    startedAt,
    exited,
    async hostPid() {
      const { stdout } = await runc('state', id);
      return (JSON.parse(stdout) as { pid: number }).pid;
    },
    log: () => readFile(logPath, 'utf8').catch(() => ''),
    async stop(graceMs = 30_000) {
      if (child.exitCode === null && child.signalCode === null) {
        await runc('kill', id, 'TERM').catch(() => undefined);
        const timer = setTimeout(() => void runc('kill', id, 'KILL').catch(() => undefined), graceMs);
        await exited;
        clearTimeout(timer);
      }
      await runc('delete', '--force', id).catch(() => undefined);
      process.removeListener('exit', forceDelete);
    },
  };
}

/**
 * SshHost.exec against a real OpenSSH server: exact argv, exit status and signals, stdin,
 * output caps, timeouts and aborts that really stop the remote processes.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hasCode } from '../../../packages/connector-sdk/src/sandbox/errors.ts';
import type { SshHost } from '../../../packages/connector-sdk/src/sandbox/host/ssh-host.ts';
import { caught, sshHostFor } from '../../support/sshd/ssh-host-for.ts';
import { startSshd, type Sshd } from '../../../packages/connector-sdk/src/testing/sshd.ts';

// A real sshd on a shared 2-core CI machine: generous bounds (not timing assertions).
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

let sshd: Sshd;
let host: SshHost;
let n = 0;

beforeAll(async () => {
  sshd = await startSshd();
  host = sshHostFor(sshd);
});
afterAll(async () => {
  await host?.close();
  await sshd?.stop();
});

const TRICKY = ['a b', "'", "it's", '$(id)', '`id`', '$HOME', ';', '&& echo pwned', '|', '>x', '*', '\\', 'x\ny', '\t', '', '-n', '--', '#'];

/** Waits until a process is gone (the kill is asynchronous on the server side). */
async function expectGone(pid: number): Promise<void> {
  await expect
    .poll(
      () => {
        try {
          process.kill(pid, 0);
          return 'alive';
        } catch {
          return 'gone';
        }
      },
      { timeout: 10_000 },
    )
    .toBe('gone');
}

/** A pid file path in the temp dir, and the pid once it appears. */
function pidFile(): { path: string; read(): Promise<number> } {
  const path = join(sshd.dir, `pid-${++n}`);
  return {
    path,
    async read() {
      await expect.poll(() => existsSync(path) && readFile(path, 'utf8').then((t) => t.endsWith('\n')), { timeout: 10_000 }).toBe(true);
      return Number((await readFile(path, 'utf8')).trim());
    },
  };
}

describe('argv', () => {
  it('tricky arguments arrive as the exact argv', async () => {
    const res = await host.exec(['/usr/bin/printf', '%s\\0', ...TRICKY]);
    expect(res.exitCode).toBe(0);
    expect(res.stdout.split('\0').slice(0, -1)).toEqual(TRICKY);
    expect(existsSync(join(sshd.dir, 'x'))).toBe(false);
  });

  it('arguments with newlines and quotes survive printf %s\\n too', async () => {
    const res = await host.exec(['/usr/bin/printf', '%s\\n', 'a b', "'", '$(id)', ';', 'line1\nline2']);
    expect(res.stdout).toBe("a b\n'\n$(id)\n;\nline1\nline2\n");
  });

  it('runs the program itself (exec), not a shell builtin or function', async () => {
    const res = await host.exec(['/bin/sh', '-c', 'echo "$0:$1"', 'zero', 'one']);
    expect(res.stdout).toBe('zero:one\n');
    const missing = await host.exec(['/nonexistent/no-such-program-cd']);
    expect(missing.exitCode).toBe(127);
    // A bare name would be looked up in the remote PATH: refused before anything is sent.
    expect(hasCode(await caught(() => host.exec(['true'])), 'CD_ERR_EXEC')).toBe(true);
  });

  it('rejects argv that no process could receive', async () => {
    expect(hasCode(await caught(() => host.exec([])), 'CD_ERR_EXEC')).toBe(true);
    expect(hasCode(await caught(() => host.exec(['/bin/echo', 'a\0b'])), 'CD_ERR_EXEC')).toBe(true);
  });
});

describe('results', () => {
  it('reports exit codes and stderr as results, not exceptions', async () => {
    const res = await host.exec(['/bin/sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(res).toMatchObject({ exitCode: 3, signal: null, stdout: 'out\n', stderr: 'err\n', truncated: false, timedOut: false });
  });

  it('reports death by signal', async () => {
    const res = await host.exec(['/bin/sh', '-c', 'kill -TERM $$']);
    expect(res).toMatchObject({ exitCode: null, signal: 'SIGTERM', timedOut: false });
  });

  it('feeds stdin (text and binary) and closes it', async () => {
    expect((await host.exec(['/bin/cat'], { stdin: 'hello\nworld' })).stdout).toBe('hello\nworld');
    const bytes = new Uint8Array([0, 1, 2, 255, 10]);
    expect((await host.exec(['/usr/bin/od', '-An', '-tu1'], { stdin: bytes })).stdout.trim().split(/\s+/)).toEqual(['0', '1', '2', '255', '10']);
    // Without stdin the program sees EOF at once instead of hanging.
    expect((await host.exec(['/bin/cat'])).stdout).toBe('');
  });

  it('caps stdout and stderr, keeps the prefix, and says it truncated', async () => {
    const res = await host.exec(['/bin/sh', '-c', 'head -c 300000 /dev/zero | tr "\\0" a; head -c 5000 /dev/zero | tr "\\0" b >&2'], {
      maxOutputBytes: 1000,
    });
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toBe('a'.repeat(1000));
    expect(res.stderr).toBe('b'.repeat(1000));
    expect(res.truncated).toBe(true);
    const small = await host.exec(['/usr/bin/printf', 'abc'], { maxOutputBytes: 3 });
    expect(small).toMatchObject({ stdout: 'abc', truncated: false });
  });
});

describe('stopping', () => {
  it('a timeout kills the remote process group, children included', async () => {
    const pids = pidFile();
    const res = await host.exec(['/bin/sh', '-c', `sleep 300 & echo $! > ${pids.path}; wait`], { timeoutMs: 1_000 });
    expect(res.timedOut).toBe(true);
    expect(res.exitCode).toBeNull();
    expect(res.signal).toBe('SIGTERM');
    await expectGone(await pids.read());
  });

  it('a command that ignores SIGTERM is killed with SIGKILL after the grace period', async () => {
    const pids = pidFile();
    // An ignored disposition survives exec, so the child sleep ignores TERM as well.
    const res = await host.exec(['/bin/sh', '-c', `trap "" TERM; sleep 300 & echo $! > ${pids.path}; wait`], { timeoutMs: 500 });
    expect(res).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGKILL' });
    await expectGone(await pids.read());
  });

  it('a timeout also works when stdin was given', async () => {
    const pids = pidFile();
    const res = await host.exec(['/bin/sh', '-c', `echo $$ > ${pids.path}; exec sleep 300`], { timeoutMs: 1_000, stdin: 'ignored' });
    expect(res.timedOut).toBe(true);
    await expectGone(await pids.read());
  });

  it('an abort rejects with the abort reason and kills the remote process', async () => {
    const pids = pidFile();
    const ac = new AbortController();
    const running = host.exec(['/bin/sh', '-c', `echo $$ > ${pids.path}; exec sleep 300`], { signal: ac.signal });
    const pid = await pids.read();
    ac.abort(new Error('deployment cancelled'));
    expect(await caught(() => running)).toMatchObject({ message: 'deployment cancelled' });
    await expectGone(pid);
    expect(await caught(() => host.exec(['/bin/true'], { signal: ac.signal }))).toMatchObject({ message: 'deployment cancelled' });
  });

  it('the connection stays usable for parallel commands', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => host.exec(['/bin/echo', String(i)])));
    expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 8 }, (_, i) => `${i}\n`));
  });
});

import { createServer, type Server } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalHost } from '../../../packages/connector-sdk/src/sandbox/host/local-host.ts';
import { makeTempDir, removeDir } from './support/temp-dir.ts';

const host = new LocalHost();

describe('LocalHost.exec', () => {
  it('runs argv without a shell and reports the exit status', async () => {
    const ok = await host.exec(['/bin/true']);
    expect(ok).toMatchObject({ exitCode: 0, signal: null, stdout: '', truncated: false, timedOut: false });
    const fail = await host.exec(['/bin/false']);
    expect(fail.exitCode).toBe(1);
    // Shell metacharacters are plain bytes of one argument.
    const echo = await host.exec(['/bin/echo', 'a; echo injected $(id) `id`']);
    expect(echo.stdout).toBe('a; echo injected $(id) `id`\n');
  });

  it('passes stdin and captures stderr', async () => {
    const r = await host.exec(['/bin/sh', '-c', 'cat; echo oops >&2'], { stdin: 'hello' });
    expect(r).toMatchObject({ exitCode: 0, stdout: 'hello', stderr: 'oops\n' });
  });

  it('gives commands a fixed minimal environment (no operator secrets, PATH or proxy)', async () => {
    const saved = { PATH: process.env['PATH'], HTTPS_PROXY: process.env['HTTPS_PROXY'] };
    process.env['CD_TEST_SECRET'] = 'should-not-leak';
    process.env['HTTPS_PROXY'] = 'http://proxy.invalid:3128';
    process.env['PATH'] = `/opt/evil/bin:${saved.PATH ?? ''}`;
    try {
      const r = await host.exec(['/usr/bin/env']);
      expect(r.stdout.trim().split('\n').sort()).toEqual(['LANG=C.UTF-8', 'LC_ALL=C.UTF-8', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin']);
    } finally {
      delete process.env['CD_TEST_SECRET'];
      process.env['PATH'] = saved.PATH;
      if (saved.HTTPS_PROXY === undefined) delete process.env['HTTPS_PROXY'];
      else process.env['HTTPS_PROXY'] = saved.HTTPS_PROXY;
    }
  });

  it('refuses a program that is not an absolute path (no PATH lookup)', async () => {
    for (const program of ['true', './true', 'bin/true']) {
      await expect(host.exec([program])).rejects.toMatchObject({ code: 'CD_ERR_EXEC' });
    }
  });

  it('caps captured output and says so', async () => {
    const r = await host.exec(['/bin/sh', '-c', 'head -c 100000 /dev/zero | tr "\\0" x'], { maxOutputBytes: 1000 });
    expect(r.stdout.length).toBe(1000);
    expect(r.truncated).toBe(true);
    expect(r.exitCode).toBe(0);
  });

  it('stops a command at its timeout, including the children it forked', async () => {
    const r = await host.exec(['/bin/sh', '-c', 'sleep 30 & sleep 30; echo never'], { timeoutMs: 200 });
    expect(r.timedOut).toBe(true);
    expect(r.stdout).toBe('');
    expect(r.signal).toBe('SIGTERM');
  });

  it('escalates to SIGKILL when SIGTERM is ignored', async () => {
    const r = await host.exec(['/bin/sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 1; done'], { timeoutMs: 200 });
    expect(r).toMatchObject({ timedOut: true, signal: 'SIGKILL', stdout: 'ready\n' });
  });

  it('rejects with the abort reason when the signal aborts', async () => {
    const ac = new AbortController();
    const p = host.exec(['/bin/sleep', '30'], { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('deploy cancelled')), 50);
    await expect(p).rejects.toThrow('deploy cancelled');
  });

  it('reports a missing program as a typed exec error', async () => {
    await expect(host.exec(['/nonexistent/program'])).rejects.toMatchObject({ code: 'CD_ERR_EXEC', message: 'cannot run "/nonexistent/program": ENOENT' });
    await expect(host.exec([])).rejects.toMatchObject({ code: 'CD_ERR_EXEC' });
  });
});

describe('LocalHost.connectUnix', () => {
  let dir: string;
  let server: Server;
  beforeEach(async () => {
    dir = await makeTempDir();
    server = createServer((s) => s.on('data', (d) => s.end(`echo:${d.toString()}`)));
    await new Promise<void>((resolve) => server.listen(`${dir}/s.sock`, resolve));
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    await removeDir(dir);
  });

  it('opens a duplex stream to the socket', async () => {
    const stream = await host.connectUnix(`${dir}/s.sock`);
    const reply = await new Promise<string>((resolve) => {
      let buf = '';
      stream.on('data', (d: Buffer) => (buf += d.toString()));
      stream.on('end', () => resolve(buf));
      stream.write('ping');
    });
    expect(reply).toBe('echo:ping');
  });

  it('rejects for a missing socket', async () => {
    await expect(host.connectUnix(`${dir}/none.sock`)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

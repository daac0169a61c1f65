/**
 * SshHost.connectUnix: a stream to a unix socket on the server through OpenSSH's
 * direct-streamlocal forwarding, against a real sshd and a real unix socket server.
 */
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SshHost } from '../../../packages/connector-sdk/src/sandbox/host/ssh-host.ts';
import { caught, sshHostFor } from '../../support/sshd/ssh-host-for.ts';
import { startSshd, type Sshd } from '../../../packages/connector-sdk/src/testing/sshd.ts';

// A real sshd on a shared 2-core CI machine: generous bounds (not timing assertions).
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

let sshd: Sshd;
let host: SshHost;
let echo: Server;
let echoPath: string;
const received: string[] = [];

/** Echo server: answers `echo:` + everything it got, after the client half-closes. */
function startEcho(path: string): Promise<Server> {
  const srv = createServer({ allowHalfOpen: true }, (sock) => {
    const chunks: Buffer[] = [];
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('end', () => {
      const got = Buffer.concat(chunks).toString('utf8');
      received.push(got);
      sock.end(`echo:${got}`);
    });
  });
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(path, () => resolve(srv));
  });
}

function roundTrip(stream: Duplex, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
    stream.end(payload);
  });
}

beforeAll(async () => {
  sshd = await startSshd();
  host = sshHostFor(sshd);
  echoPath = join(sshd.dir, 'echo.sock');
  echo = await startEcho(echoPath);
});
afterAll(async () => {
  await host?.close();
  await new Promise((r) => echo?.close(r));
  await sshd?.stop();
});

describe('connectUnix', () => {
  it('round-trips bytes through the socket, with half-close', async () => {
    const payload = `show info\n${'x'.repeat(100_000)}`;
    expect(await roundTrip(await host.connectUnix(echoPath), payload)).toBe(`echo:${payload}`);
    expect(received.at(-1)).toBe(payload);
  });

  it('supports several streams at once on the one connection', async () => {
    const answers = await Promise.all(['a', 'b', 'c'].map(async (p) => roundTrip(await host.connectUnix(echoPath), p)));
    expect(answers).toEqual(['echo:a', 'echo:b', 'echo:c']);
  });

  it('fails with ECONNREFUSED when nothing listens there', async () => {
    const err = await caught(() => host.connectUnix(join(sshd.dir, 'nobody-home.sock')));
    expect(err).toMatchObject({ fsCode: 'ECONNREFUSED', syscall: 'connect' });
  });

  it('rejects relative paths and an already aborted signal', async () => {
    expect(await caught(() => host.connectUnix('run/haproxy.sock'))).toMatchObject({ fsCode: 'EINVAL' });
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    expect(await caught(() => host.connectUnix(echoPath, ac.signal))).toMatchObject({ message: 'stop' });
  });
});

describe('connectUnix on a server that forbids stream-local forwarding', () => {
  it('fails (OpenSSH reports it like a refused connect) and the message names the policy', async () => {
    const strict = await startSshd({ extraConfig: ['AllowStreamLocalForwarding no'] });
    const h = sshHostFor(strict);
    try {
      expect((await h.exec(['/usr/bin/test', '-S', echoPath])).exitCode).toBe(0);
      const err = await caught(() => h.connectUnix(echoPath));
      expect(err).toMatchObject({ fsCode: 'ECONNREFUSED' });
      expect((err as Error).message).toMatch(/AllowStreamLocalForwarding/);
      expect(await strict.log()).toMatch(/refused streamlocal port forward/);
    } finally {
      await h.close();
      await strict.stop();
    }
  });
});

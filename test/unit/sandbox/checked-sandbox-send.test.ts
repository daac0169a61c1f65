import { createServer, type Server, type Socket } from 'node:net';
import { symlink } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, isDenied, LocalHost, type Grant } from '../../../packages/connector-sdk/src/sandbox/index.ts';
import { close, countConnections, listen } from './support/servers.ts';
import { makeTempDir, removeDir } from './support/temp-dir.ts';

const host = new LocalHost();
let dir: string;
let tcp: Server;
let tcpPort: number;
let unix: Server;
let otherUnix: Server;
let silent: Server;
let silentPort: number;
let unixConnections: () => number;
const held: Socket[] = [];

/** Answers like the HAProxy runtime API: reads a command until the client half-closes, replies, closes. */
function commandServer(tag: string): Server {
  return createServer({ allowHalfOpen: true }, (s) => {
    let cmd = '';
    s.on('data', (d: Buffer) => (cmd += d.toString()));
    s.on('end', () => s.end(`${tag}:${cmd.trim()}\n`));
  });
}

beforeEach(async () => {
  dir = await makeTempDir();
  tcp = commandServer('tcp');
  tcpPort = await listen(tcp);
  unix = commandServer('unix');
  unixConnections = countConnections(unix);
  await listen(unix, `${dir}/admin.sock`);
  otherUnix = commandServer('other');
  await listen(otherUnix, `${dir}/other.sock`);
  await symlink(`${dir}/admin.sock`, `${dir}/alias.sock`);
  silent = createServer((s) => held.push(s)); // accepts and never answers
  silentPort = await listen(silent);
});
afterEach(async () => {
  held.splice(0).forEach((s) => s.destroy());
  await Promise.all([close(tcp), close(unix), close(otherUnix), close(silent)]);
  await removeDir(dir);
});

const grant = (): Grant => ({
  read: [],
  write: [],
  exec: [],
  dial: [`127.0.0.1:${tcpPort}`, `unix:${dir}/admin.sock`, `127.0.0.1:${silentPort}`],
});

async function denied(p: Promise<unknown>): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isDenied(err), `expected DeniedError, got ${String(err)}`).toBe(true);
}

describe('Sandbox.send', () => {
  it('exchanges with a granted TCP endpoint and unix socket until EOF', async () => {
    const sb = createSandbox({ grant: grant(), host });
    expect(Buffer.from(await sb.send(`127.0.0.1:${tcpPort}`, 'show info\n')).toString()).toBe('tcp:show info\n');
    expect(Buffer.from(await sb.send(`unix:${dir}/admin.sock`, 'show ssl cert\n')).toString()).toBe('unix:show ssl cert\n');
  });

  it('resolves a socket path through symlinks before checking', async () => {
    const sb = createSandbox({ grant: grant(), host });
    expect(Buffer.from(await sb.send(`unix:${dir}/alias.sock`, 'x')).toString()).toBe('unix:x\n');
    const onlyAlias = createSandbox({ grant: { ...grant(), dial: [`unix:${dir}/alias.sock`] }, host });
    expect(Buffer.from(await onlyAlias.send(`unix:${dir}/admin.sock`, 'y')).toString()).toBe('unix:y\n');
  });

  it('denies other sockets, ports and malformed addresses without connecting', async () => {
    const sb = createSandbox({ grant: grant(), host });
    const before = unixConnections();
    await denied(sb.send(`unix:${dir}/other.sock`, 'x'));
    await denied(sb.send(`unix:${dir}/admin.sock2`, 'x'));
    await denied(sb.send(`127.0.0.1:${tcpPort + 1}`, 'x'));
    await denied(sb.send(`localhost:${tcpPort}`, 'x'));
    await denied(sb.send(`127.0.0.1`, 'x'));
    await denied(sb.send(`unix:admin.sock`, 'x'));
    expect(unixConnections()).toBe(before);
  });

  it('caps the response at maxResponseBytes', async () => {
    const sb = createSandbox({ grant: grant(), host });
    const reply = await sb.send(`127.0.0.1:${tcpPort}`, 'abcdefghij', { maxResponseBytes: 5 });
    expect(Buffer.from(reply).toString()).toBe('tcp:a');
  });

  it('times out with a retryable error when the peer never closes, and honours abort', async () => {
    const sb = createSandbox({ grant: grant(), host });
    await expect(sb.send(`127.0.0.1:${silentPort}`, 'x', { timeoutMs: 100 })).rejects.toMatchObject({ code: 'CD_ERR_TIMEOUT', retryable: true });
    const ac = new AbortController();
    const p = sb.send(`127.0.0.1:${silentPort}`, 'x', { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('cancelled by test')), 50);
    await expect(p).rejects.toThrow('cancelled by test');
  });

  it('reports a refused connection as retryable unreachable', async () => {
    const port = tcpPort;
    await close(tcp);
    const sb = createSandbox({ grant: grant(), host });
    await expect(sb.send(`127.0.0.1:${port}`, 'x')).rejects.toMatchObject({ code: 'CD_ERR_UNREACHABLE', retryable: true });
    tcp = commandServer('tcp');
    await listen(tcp);
  });
});

/**
 * The checked sandbox over an SshHost: the same grant checks (canonical paths resolved on the
 * remote side, exact argv, granted unix sockets) hold when files, commands and sockets live on
 * a machine reached over SSH. Real sshd; the remote filesystem is this machine's, so effects
 * (and their absence) are verified with node:fs.
 */
import { existsSync } from 'node:fs';
import { link, mkdir, readdir, readFile, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSandbox, isDenied, type Grant } from '../../../packages/connector-sdk/src/sandbox/index.ts';
import type { SshHost } from '../../../packages/connector-sdk/src/sandbox/host/ssh-host.ts';
import { caught, sshHostFor } from '../../support/sshd/ssh-host-for.ts';
import { startSshd, type Sshd } from '../../../packages/connector-sdk/src/testing/sshd.ts';

// A real sshd on a shared 2-core CI machine: generous bounds (not timing assertions).
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

const KEY = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIC0gdGhpcyBpcyBub3QgYSByZWFsIGtleSAtLS0tLS0t\n-----END PRIVATE KEY-----\n';

let sshd: Sshd;
let host: SshHost;
let admin: Server;
let dir: string;
let n = 0;

beforeAll(async () => {
  sshd = await startSshd();
  host = sshHostFor(sshd);
  admin = createServer({ allowHalfOpen: true }, (sock) => {
    const chunks: Buffer[] = [];
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('end', () => sock.end(`admin:${Buffer.concat(chunks).toString()}`));
  });
  await new Promise<void>((r) => admin.listen(join(sshd.dir, 'admin.sock'), r));
});
afterAll(async () => {
  await host?.close();
  await new Promise((r) => admin?.close(r));
  await sshd?.stop();
});
beforeEach(async () => {
  dir = join(sshd.dir, `sb-${++n}`);
  await mkdir(join(dir, 'certs'), { recursive: true });
  await mkdir(join(dir, 'certs-evil'));
  await mkdir(join(dir, 'outside'));
  await writeFile(join(dir, 'outside', 'secret.key'), KEY);
  await symlink(join(dir, 'outside'), join(dir, 'certs', 'escape'));
});

const grant = (): Grant => ({
  read: [],
  write: [join(dir, 'certs')],
  dial: [`unix:${join(sshd.dir, 'admin.sock')}`],
  exec: [{ argv: ['/bin/echo', 'reloaded'] }, { argv: ['/bin/cat', { placeholder: 'file', kind: 'path' }] }],
});

async function expectDenied(p: Promise<unknown>): Promise<void> {
  const err = await caught(() => p);
  expect(isDenied(err), `expected DeniedError, got ${String(err)}`).toBe(true);
}

describe('checked sandbox over SSH', () => {
  it('writes inside the grant with key-aware modes, and restores what it replaced', async () => {
    const sb = createSandbox({ grant: grant(), host });
    const key = join(dir, 'certs', 'shop.key');
    await writeFile(key, 'OLD');
    const write = await sb.writeFile(key, KEY);
    expect(await readFile(key, 'utf8')).toBe(KEY);
    expect((await stat(key)).mode & 0o777).toBe(0o600);
    expect(Buffer.from(write.previous ?? []).toString()).toBe('OLD');
    await sb.restoreFile(write);
    expect(await readFile(key, 'utf8')).toBe('OLD');
    const fresh = await sb.writeFile(join(dir, 'certs', 'new.crt'), 'CERT');
    await sb.restoreFile(fresh);
    expect(existsSync(join(dir, 'certs', 'new.crt'))).toBe(false);
    expect((await readdir(join(dir, 'certs'))).sort()).toEqual(['escape', 'shop.key']);
  });

  it('denies .., symlink and sibling-prefix escapes, resolved on the remote side, and writes nothing', async () => {
    const sb = createSandbox({ grant: grant(), host });
    await expectDenied(sb.writeFile(join(dir, 'certs', '..', 'outside', 'x.crt'), 'X'));
    await expectDenied(sb.writeFile(join(dir, 'certs', 'escape', 'x.crt'), 'X'));
    await expectDenied(sb.writeFile(join(dir, 'certs-evil', 'x.crt'), 'X'));
    await expectDenied(sb.readFile(join(dir, 'certs', 'escape', 'secret.key')));
    expect(await readdir(join(dir, 'outside'))).toEqual(['secret.key']);
    expect(await readdir(join(dir, 'certs-evil'))).toEqual([]);
  });

  it('canonicalises declared and policy roots on the remote host before intersecting them', async () => {
    // Policy root ROOT, ROOT/escape -> outside: declared paths below it resolve outside ROOT.
    const declared = { read: [], write: [join(dir, 'certs', 'escape', 'x.crt'), join(dir, 'certs', 'escape', 'x.key')], dial: [], exec: [] };
    const sb = createSandbox({ grant: declared, policy: { pathRoots: [join(dir, 'certs')] }, host });
    await expectDenied(sb.writeFile(join(dir, 'certs', 'escape', 'x.crt'), 'CERT'));
    await expectDenied(sb.writeFile(join(dir, 'certs', 'escape', 'x.key'), KEY));
    expect(await readdir(join(dir, 'outside'))).toEqual(['secret.key']);
  });

  it('refuses hard-linked files, files over the read cap, and cleans up stale temp files', async () => {
    await link(join(dir, 'outside', 'secret.key'), join(dir, 'certs', 'alias.key'));
    await writeFile(join(dir, 'certs', 'big.pem'), Buffer.alloc(1024 * 1024 + 1, 0x41));
    const stale = join(dir, 'certs', '.a.crt.cd-0123456789abcdef.tmp');
    await writeFile(stale, 'PARTIAL');
    const old = new Date(Date.now() - 5 * 60_000);
    await utimes(stale, old, old);
    const sb = createSandbox({ grant: grant(), host });
    await expectDenied(sb.readFile(join(dir, 'certs', 'alias.key')));
    await expectDenied(sb.writeFile(join(dir, 'certs', 'alias.key'), 'NEW'));
    await expectDenied(sb.readFile(join(dir, 'certs', 'big.pem')));
    expect(await readFile(join(dir, 'outside', 'secret.key'), 'utf8')).toBe(KEY);
    await sb.writeFile(join(dir, 'certs', 'a.crt'), 'A');
    expect(existsSync(stale)).toBe(false);
  });

  it('runs only exactly granted argv on the remote host; path placeholders are checked there', async () => {
    const sb = createSandbox({ grant: grant(), host });
    expect((await sb.exec(['/bin/echo', 'reloaded'])).stdout).toBe('reloaded\n');
    await writeFile(join(dir, 'certs', 'a.crt'), 'A');
    expect((await sb.exec(['/bin/cat', join(dir, 'certs', 'a.crt')])).stdout).toBe('A');
    await expectDenied(sb.exec(['/bin/echo', 'reloaded;', 'id']));
    await expectDenied(sb.exec(['/bin/cat', join(dir, 'certs', 'escape', 'secret.key')]));
    await expectDenied(sb.exec(['/bin/sh', '-c', 'id']));
  });

  it('sends to a granted unix socket on the remote host and denies others', async () => {
    const sb = createSandbox({ grant: grant(), host });
    expect(Buffer.from(await sb.send(`unix:${join(sshd.dir, 'admin.sock')}`, 'show info')).toString()).toBe('admin:show info');
    await expectDenied(sb.send(`unix:${join(sshd.dir, 'other.sock')}`, 'x'));
  });
});

/**
 * File operations of SshHost against a real OpenSSH server. The "remote" filesystem is this
 * machine's, so every remote effect is checked independently with node:fs.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { hasCode } from '../../../packages/connector-sdk/src/sandbox/errors.ts';
import type { SshHost } from '../../../packages/connector-sdk/src/sandbox/host/ssh-host.ts';
import { renameWithMv } from '../../../packages/connector-sdk/src/sandbox/host/ssh-sftp.ts';
import { caught, sshHostFor } from '../../support/sshd/ssh-host-for.ts';
import { startSshd, type Sshd } from '../../../packages/connector-sdk/src/testing/sshd.ts';

// A real sshd on a shared 2-core CI machine: generous bounds (not timing assertions).
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

let sshd: Sshd;
let host: SshHost;
let dir: string;
let n = 0;

beforeAll(async () => {
  sshd = await startSshd();
  host = sshHostFor(sshd);
});
afterAll(async () => {
  await host?.close();
  await sshd?.stop();
});
beforeEach(async () => {
  dir = join(sshd.dir, `case-${++n}`);
  await mkdir(dir);
});

describe('realpath', () => {
  it('resolves symlinks and .. to the canonical path', async () => {
    await mkdir(join(dir, 'real'));
    await writeFile(join(dir, 'real', 'f'), 'x');
    await symlink(join(dir, 'real'), join(dir, 'link'));
    expect(await host.realpath(join(dir, 'link', 'f'))).toBe(join(dir, 'real', 'f'));
    expect(await host.realpath(`${dir}/real/../link/./f`)).toBe(join(dir, 'real', 'f'));
  });

  it("throws code 'ENOENT' for a missing path and a dangling symlink", async () => {
    await symlink(join(dir, 'nowhere'), join(dir, 'dangling'));
    for (const p of [join(dir, 'missing'), join(dir, 'missing', 'deeper'), join(dir, 'dangling')]) {
      expect(await caught(() => host.realpath(p))).toMatchObject({ code: 'CD_ERR_HOST_FS', fsCode: 'ENOENT', syscall: 'realpath', path: p });
    }
  });

  it('rejects relative paths (they would mean "below $HOME" over SFTP)', async () => {
    expect(await caught(() => host.realpath('etc/passwd'))).toMatchObject({ fsCode: 'EINVAL' });
  });
});

describe('lstat and readFile', () => {
  it('reports type, mode, owner and size without following symlinks', async () => {
    await writeFile(join(dir, 'f'), 'hello');
    await chmod(join(dir, 'f'), 0o640);
    await symlink(join(dir, 'f'), join(dir, 'l'));
    const f = await host.lstat(join(dir, 'f'));
    expect(f).toEqual({ isFile: true, isDirectory: false, isSymbolicLink: false, mode: 0o640, size: 5, uid: 0, gid: 0 });
    expect(await host.lstat(join(dir, 'l'))).toMatchObject({ isSymbolicLink: true, isFile: false });
    expect(await host.lstat(dir)).toMatchObject({ isDirectory: true });
    expect(await host.lstat(join(dir, 'missing'))).toBeNull();
  });

  it('reads exact bytes, empty files, and null for a missing file', async () => {
    const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(300_000)]);
    await writeFile(join(dir, 'bin'), bytes);
    await writeFile(join(dir, 'empty'), '');
    expect(Buffer.from((await host.readFile(join(dir, 'bin'))) ?? []).equals(bytes)).toBe(true);
    expect(await host.readFile(join(dir, 'empty'))).toEqual(new Uint8Array(0));
    expect(await host.readFile(join(dir, 'missing'))).toBeNull();
  });
});

describe('writeFileAtomic', () => {
  it('creates the file with the final mode from the start (as seen in the server log)', async () => {
    const target = join(dir, 'tls.key');
    await host.writeFileAtomic(target, Buffer.from('KEY'), { mode: 0o600 });
    expect(await readFile(target, 'utf8')).toBe('KEY');
    expect((await stat(target)).mode & 0o7777).toBe(0o600);
    // sftp-server -l VERBOSE logs each request: the temp file is created exclusively with
    // mode 0600, synced, and renamed over the target with posix-rename.
    const steps = (await sshd.sftpLog())
      .split('\n')
      .filter((l) => l.includes(`"${dir}/.tls.key.cd-`))
      .map((l) => l.replace(/"[^"]*\.tls\.key\.cd-[0-9a-f]{16}\.tmp"/, 'TMP').replace(/ bytes read.*/, ''));
    expect(steps).toEqual([
      'open TMP flags WRITE,CREATE,TRUNCATE,EXCL mode 0600',
      'set TMP mode 0600',
      'fsync TMP',
      'close TMP',
      `posix-rename old TMP new "${target}"`,
    ]);
    expect(await readdir(dir)).toEqual(['tls.key']);
  });

  it('replaces an existing file by rename (new inode), with the exact mode despite the umask (077)', async () => {
    const target = join(dir, 'tls.crt');
    await writeFile(target, 'OLD CONTENT THAT IS LONGER');
    await chmod(target, 0o644);
    const before = await stat(target);
    await host.writeFileAtomic(target, Buffer.from('NEW'), { mode: 0o664 });
    const after = await stat(target);
    expect(await readFile(target, 'utf8')).toBe('NEW');
    expect(after.mode & 0o7777).toBe(0o664);
    expect(after.ino).not.toBe(before.ino);
    expect(await readdir(dir)).toEqual(['tls.crt']);
  });

  it('applies owner and group given as names (resolved on the host) or as ids', async () => {
    await host.writeFileAtomic(join(dir, 'a'), Buffer.from('a'), { mode: 0o640, owner: 'nobody', group: 'nogroup' });
    expect(await stat(join(dir, 'a'))).toMatchObject({ uid: 65534, gid: 65534 });
    await host.writeFileAtomic(join(dir, 'b'), Buffer.from('b'), { mode: 0o640, owner: 1234 });
    expect(await stat(join(dir, 'b'))).toMatchObject({ uid: 1234, gid: 0 });
    await host.writeFileAtomic(join(dir, 'c'), Buffer.from('c'), { mode: 0o640, group: '4321' });
    expect(await stat(join(dir, 'c'))).toMatchObject({ uid: 0, gid: 4321 });
    expect((await stat(join(dir, 'c'))).mode & 0o7777).toBe(0o640);
  });

  it('fails on an unknown owner without touching the target or leaving a temp file', async () => {
    const target = join(dir, 'keep');
    await writeFile(target, 'original');
    const err = await caught(() => host.writeFileAtomic(target, Buffer.from('x'), { mode: 0o600, owner: 'no-such-user-cd' }));
    expect(hasCode(err, 'CD_ERR_CONNECTOR')).toBe(true);
    expect((err as Error).message).toMatch(/unknown user "no-such-user-cd" on root@127\.0\.0\.1/);
    expect(await readFile(target, 'utf8')).toBe('original');
    expect(await readdir(dir)).toEqual(['keep']);
  });

  it('fails with ENOENT in a missing directory and EISDIR-like errors on a directory target, leaving nothing', async () => {
    expect(await caught(() => host.writeFileAtomic(join(dir, 'nope', 'f'), Buffer.from('x'), { mode: 0o600 }))).toMatchObject({ fsCode: 'ENOENT' });
    await mkdir(join(dir, 'sub'));
    const err = await caught(() => host.writeFileAtomic(join(dir, 'sub'), Buffer.from('x'), { mode: 0o600 }));
    expect(err).toBeInstanceOf(Error);
    expect((await lstat(join(dir, 'sub'))).isDirectory()).toBe(true);
    expect(await readdir(dir)).toEqual(['sub']);
    expect(await caught(() => host.writeFileAtomic(`${dir}/`, Buffer.from('x'), { mode: 0o600 }))).toMatchObject({ fsCode: 'EISDIR' });
  });

  it('writes a target whose name is near NAME_MAX (the temp name is shortened)', async () => {
    const name = `${'n'.repeat(250)}.crt`;
    await host.writeFileAtomic(join(dir, name), Buffer.from('long'), { mode: 0o644 });
    expect(await readFile(join(dir, name), 'utf8')).toBe('long');
    expect(await readdir(dir)).toEqual([name]);
  });

  it('writes large binary content intact', async () => {
    const bytes = randomBytes(2 * 1024 * 1024 + 17);
    await host.writeFileAtomic(join(dir, 'big'), bytes, { mode: 0o644 });
    expect((await readFile(join(dir, 'big'))).equals(bytes)).toBe(true);
  });

  it('rejects modes outside 0..0o7777', async () => {
    expect(await caught(() => host.writeFileAtomic(join(dir, 'm'), Buffer.from('x'), { mode: 0o10000 }))).toMatchObject({ fsCode: 'EINVAL' });
    expect(existsSync(join(dir, 'm'))).toBe(false);
  });

  it('the mv fallback (for servers without posix-rename) replaces the target too', async () => {
    await writeFile(join(dir, 'target'), 'old');
    await writeFile(join(dir, 'tmp'), 'new');
    await renameWithMv({ label: host.label, exec: (argv, o) => host.exec(argv, o) }, join(dir, 'tmp'), join(dir, 'target'));
    expect(await readFile(join(dir, 'target'), 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['target']);
    const err = await caught(() => renameWithMv({ label: host.label, exec: (a, o) => host.exec(a, o) }, join(dir, 'gone'), join(dir, 'target')));
    expect(err).toMatchObject({ fsCode: 'EIO', syscall: 'rename' });
  });
});

describe('unlink', () => {
  it('removes a file and is idempotent', async () => {
    await writeFile(join(dir, 'f'), 'x');
    await host.unlink(join(dir, 'f'));
    expect(existsSync(join(dir, 'f'))).toBe(false);
    await host.unlink(join(dir, 'f'));
  });

  it('removes a symlink, not its target', async () => {
    await writeFile(join(dir, 'target'), 'x');
    await symlink(join(dir, 'target'), join(dir, 'l'));
    await host.unlink(join(dir, 'l'));
    expect(await readdir(dir)).toEqual(['target']);
  });
});

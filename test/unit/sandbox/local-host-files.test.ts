import { watch, lstatSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseIdTable } from '../../../packages/connector-sdk/src/sandbox/host/account-ids.ts';
import { LocalHost } from '../../../packages/connector-sdk/src/sandbox/host/local-host.ts';
import { isDenied } from '../../../packages/connector-sdk/src/sandbox/errors.ts';
import { makeTempDir, removeDir } from './support/temp-dir.ts';

let dir: string;
let host: LocalHost;
const isRoot = process.getuid?.() === 0;

beforeEach(async () => {
  dir = await makeTempDir();
  await writeFile(`${dir}/passwd`, '# test accounts\ncd-deployer:x:4242:4243::/nonexistent:/usr/sbin/nologin\nbroken-line\n');
  await writeFile(`${dir}/group`, 'cd-web:x:4343:\n');
  host = new LocalHost({ passwdFile: `${dir}/passwd`, groupFile: `${dir}/group` });
});
afterEach(() => removeDir(dir));

const leftovers = async (d: string) => (await readdir(d)).filter((n) => n.endsWith('.tmp'));

describe('LocalHost.writeFileAtomic', () => {
  it('writes the bytes with exactly the requested mode, whatever the umask, and leaves no temp file', async () => {
    const old = process.umask(0o077);
    try {
      await host.writeFileAtomic(`${dir}/shop.crt`, Buffer.from('CERT'), { mode: 0o644 });
    } finally {
      process.umask(old);
    }
    expect(await readFile(`${dir}/shop.crt`, 'utf8')).toBe('CERT');
    expect((await stat(`${dir}/shop.crt`)).mode & 0o7777).toBe(0o644);
    expect(await leftovers(dir)).toEqual([]);
  });

  it('replaces an existing file and narrows its mode', async () => {
    await writeFile(`${dir}/shop.key`, 'OLD', { mode: 0o666 });
    await host.writeFileAtomic(`${dir}/shop.key`, Buffer.from('NEW'), { mode: 0o600 });
    expect(await readFile(`${dir}/shop.key`, 'utf8')).toBe('NEW');
    expect((await stat(`${dir}/shop.key`)).mode & 0o7777).toBe(0o600);
  });

  it('never lets the temp file be seen with group or other bits during a large write', async () => {
    const seen: number[] = [];
    const watcher = watch(dir, (_event, name) => {
      if (typeof name !== 'string' || !name.startsWith('.big.key.')) return;
      try {
        seen.push(lstatSync(`${dir}/${name}`).mode & 0o777);
      } catch {
        // already renamed
      }
    });
    const old = process.umask(0);
    try {
      for (let i = 0; i < 5 && seen.length === 0; i++) {
        await host.writeFileAtomic(`${dir}/big.key`, Buffer.alloc(32 * 1024 * 1024, 0x41), { mode: 0o600 });
      }
    } finally {
      process.umask(old);
      watcher.close();
    }
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((m) => (m & 0o077) === 0)).toBe(true);
    expect(await leftovers(dir)).toEqual([]);
  });

  it.skipIf(!isRoot)('applies owner and group given as names (from the account files) or numbers', async () => {
    await host.writeFileAtomic(`${dir}/named.key`, Buffer.from('K'), { mode: 0o640, owner: 'cd-deployer', group: 'cd-web' });
    const named = await stat(`${dir}/named.key`);
    expect([named.uid, named.gid, named.mode & 0o7777]).toEqual([4242, 4343, 0o640]);
    await host.writeFileAtomic(`${dir}/numeric.key`, Buffer.from('K'), { mode: 0o600, owner: 1234, group: '5678' });
    const numeric = await stat(`${dir}/numeric.key`);
    expect([numeric.uid, numeric.gid]).toEqual([1234, 5678]);
  });

  it('fails with a typed error for an unknown owner and leaves nothing behind', async () => {
    const err = await host.writeFileAtomic(`${dir}/x.key`, Buffer.from('K'), { mode: 0o600, owner: 'no-such-user' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CD_ERR_CONNECTOR', message: 'unknown user "no-such-user" on the host' });
    expect(isDenied(err)).toBe(false);
    expect(await readdir(dir)).toEqual(['group', 'passwd']);
  });

  it('fails when the directory is missing and on abort, leaving the target untouched', async () => {
    await expect(host.writeFileAtomic(`${dir}/missing/x.crt`, Buffer.from('C'), { mode: 0o644 })).rejects.toMatchObject({ code: 'ENOENT' });
    await writeFile(`${dir}/keep.crt`, 'KEEP');
    const ac = new AbortController();
    ac.abort(new Error('cancelled'));
    await expect(host.writeFileAtomic(`${dir}/keep.crt`, Buffer.from('NEW'), { mode: 0o644, signal: ac.signal })).rejects.toThrow('cancelled');
    expect(await readFile(`${dir}/keep.crt`, 'utf8')).toBe('KEEP');
    expect(await leftovers(dir)).toEqual([]);
  });
});

describe('LocalHost file reads', () => {
  it('reads bytes, returns null for missing files and lstat reports symlinks', async () => {
    await mkdir(`${dir}/d`);
    await writeFile(`${dir}/d/f`, 'DATA', { mode: 0o640 });
    await symlink(`${dir}/d/f`, `${dir}/d/l`);
    expect(Buffer.from((await host.readFile(`${dir}/d/f`)) ?? []).toString()).toBe('DATA');
    expect(await host.readFile(`${dir}/d/none`)).toBeNull();
    expect(await host.readFile(`${dir}/d/f/below`)).toBeNull();
    expect(await host.lstat(`${dir}/d/l`)).toMatchObject({ isSymbolicLink: true, isFile: false });
    expect(await host.lstat(`${dir}/d/f`)).toMatchObject({ isFile: true, mode: 0o640, size: 4 });
    expect(await host.lstat(`${dir}/d/none`)).toBeNull();
    await expect(host.realpath(`${dir}/d/none`)).rejects.toMatchObject({ code: 'ENOENT' });
    await host.unlink(`${dir}/d/f`);
    await host.unlink(`${dir}/d/f`);
    expect(await host.readFile(`${dir}/d/f`)).toBeNull();
  });
});

describe('parseIdTable', () => {
  it('maps names to ids, skipping comments and malformed lines, first entry wins', () => {
    const t = parseIdTable('root:x:0:0::/root:/bin/bash\n#c:x:9:9\nbad\nweb:x:33:33\nweb:x:99:99\nnoid:x::1\n');
    expect([...t.entries()]).toEqual([
      ['root', 0],
      ['web', 33],
    ]);
  });
});

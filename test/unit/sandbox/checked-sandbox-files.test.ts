import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, isDenied, LocalHost, type DeniedError, type Grant, type Host } from '../../../packages/connector-sdk/src/sandbox/index.ts';
import { makeTempDir, removeDir } from './support/temp-dir.ts';

const KEY = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIC0gdGhpcyBpcyBub3QgYSByZWFsIGtleSAtLS0tLS0t\n-----END PRIVATE KEY-----\n';
const host = new LocalHost();
let dir: string;

function grant(over: Partial<Grant> = {}): Grant {
  return { read: [], write: [`${dir}/certs`], dial: [], exec: [], ...over };
}

async function denial(p: Promise<unknown>): Promise<DeniedError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isDenied(err), `expected DeniedError, got ${String(err)}`).toBe(true);
  return err as DeniedError;
}

beforeEach(async () => {
  dir = await makeTempDir();
  await mkdir(`${dir}/certs/sub`, { recursive: true });
  await mkdir(`${dir}/certs-evil`);
  await mkdir(`${dir}/outside`);
  await mkdir(`${dir}/readonly`);
  await writeFile(`${dir}/outside/secret.key`, KEY);
  await writeFile(`${dir}/readonly/ca.crt`, 'CA');
});
afterEach(() => removeDir(dir));

describe('writeFile / readFile within the grant', () => {
  it('writes atomically with key-aware default modes and reads back', async () => {
    const sb = createSandbox({ grant: grant(), host });
    await sb.writeFile(`${dir}/certs/shop.crt`, 'CERT');
    await sb.writeFile(`${dir}/certs/shop.key`, 'not really a key');
    await sb.writeFile(`${dir}/certs/chain.pem`, 'CHAIN');
    await sb.writeFile(`${dir}/certs/combined.txt`, `CERT\n${KEY}`);
    const mode = async (n: string) => (await stat(`${dir}/certs/${n}`)).mode & 0o777;
    expect(await mode('shop.crt')).toBe(0o644);
    expect(await mode('shop.key')).toBe(0o600);
    expect(await mode('chain.pem')).toBe(0o600);
    expect(await mode('combined.txt')).toBe(0o600);
    expect(Buffer.from((await sb.readFile(`${dir}/certs/shop.crt`)) ?? []).toString()).toBe('CERT');
    expect(await sb.readFile(`${dir}/certs/missing.crt`)).toBeNull();
    expect((await readdir(`${dir}/certs`)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('honours an explicit mode but never lets "other" read a private key', async () => {
    const sb = createSandbox({ grant: grant(), host });
    await sb.writeFile(`${dir}/certs/group.key`, KEY, { mode: 0o640 });
    expect((await stat(`${dir}/certs/group.key`)).mode & 0o777).toBe(0o640);
    const err = await denial(sb.writeFile(`${dir}/certs/world.key`, KEY, { mode: 0o644 }));
    expect(err.message).toContain('may not be accessible to other users');
    await denial(sb.writeFile(`${dir}/certs/suid.crt`, 'C', { mode: 0o4755 }));
  });

  it('reads below read roots and write roots but writes only below write roots', async () => {
    const sb = createSandbox({ grant: grant({ read: [`${dir}/readonly`] }), host });
    expect(Buffer.from((await sb.readFile(`${dir}/readonly/ca.crt`)) ?? []).toString()).toBe('CA');
    await denial(sb.writeFile(`${dir}/readonly/ca.crt`, 'X'));
    expect(await readFile(`${dir}/readonly/ca.crt`, 'utf8')).toBe('CA');
  });
});

describe('file denials', () => {
  it('denies the prefix trick, .. traversal, relative paths and NUL bytes', async () => {
    const sb = createSandbox({ grant: grant(), host });
    await denial(sb.writeFile(`${dir}/certs-evil/x.crt`, 'X'));
    await denial(sb.writeFile(`${dir}/certs/../outside/x.crt`, 'X'));
    await denial(sb.writeFile(`${dir}/certs/sub/../../outside/x.crt`, 'X'));
    await denial(sb.writeFile('certs/x.crt', 'X'));
    await denial(sb.writeFile(`${dir}/certs/x\0.crt`, 'X'));
    await denial(sb.readFile(`${dir}/certs/../outside/secret.key`));
    expect(await readdir(`${dir}/outside`)).toEqual(['secret.key']);
    expect(await readdir(`${dir}/certs-evil`)).toEqual([]);
  });

  it('denies following a symlinked directory or file out of the root', async () => {
    await symlink(`${dir}/outside`, `${dir}/certs/escape`);
    await symlink(`${dir}/outside/secret.key`, `${dir}/certs/secret-link.key`);
    const sb = createSandbox({ grant: grant(), host });
    const read = await denial(sb.readFile(`${dir}/certs/escape/secret.key`));
    expect(read.capability).toBe('file.read');
    expect(read.subject).toContain(`${dir}/outside/secret.key`);
    await denial(sb.readFile(`${dir}/certs/secret-link.key`));
    await denial(sb.writeFile(`${dir}/certs/escape/new.crt`, 'X'));
    await denial(sb.writeFile(`${dir}/certs/secret-link.key`, 'X'));
    expect(await readFile(`${dir}/outside/secret.key`, 'utf8')).toBe(KEY);
    expect(await readdir(`${dir}/outside`)).toEqual(['secret.key']);
  });

  it('follows a symlinked root to its canonical place', async () => {
    await symlink(`${dir}/certs`, `${dir}/certs-alias`);
    const sb = createSandbox({ grant: grant({ write: [`${dir}/certs-alias`] }), host });
    const w = await sb.writeFile(`${dir}/certs-alias/a.crt`, 'A');
    expect(w.path).toBe(`${dir}/certs/a.crt`);
    await sb.writeFile(`${dir}/certs/b.crt`, 'B');
    await denial(sb.writeFile(`${dir}/outside/c.crt`, 'C'));
  });

  it('denies non-regular files (a FIFO would hang a read)', async () => {
    execFileSync('/usr/bin/mkfifo', [`${dir}/certs/fifo`]);
    const sb = createSandbox({ grant: grant(), host });
    await denial(sb.readFile(`${dir}/certs/fifo`));
    await denial(sb.writeFile(`${dir}/certs/fifo`, 'X'));
    await denial(sb.writeFile(`${dir}/certs/sub`, 'X'));
  });

  it('applies the operator policy: a path outside policy.pathRoots is denied', async () => {
    const sb = createSandbox({ grant: grant(), policy: { pathRoots: [`${dir}/certs/sub`] }, host });
    expect(sb.grant.write).toEqual([`${dir}/certs/sub`]);
    await sb.writeFile(`${dir}/certs/sub/ok.crt`, 'OK');
    await denial(sb.writeFile(`${dir}/certs/no.crt`, 'NO'));
  });

  it('never puts file contents in a denial message', async () => {
    const sb = createSandbox({ grant: grant(), host });
    const err = await denial(sb.writeFile(`${dir}/outside/leak.key`, KEY));
    expect(err.message).not.toContain('PRIVATE KEY');
    expect(JSON.stringify(err)).not.toContain('PRIVATE KEY');
    expect(err.message).toBe(`denied: file.write ${JSON.stringify(`${dir}/outside/leak.key`)}: outside the write roots`);
  });
});

describe('restoreFile', () => {
  it('restores previous content and mode of a replaced file', async () => {
    await writeFile(`${dir}/certs/shop.crt`, 'OLD', { mode: 0o640 });
    const sb = createSandbox({ grant: grant(), host });
    const w = await sb.writeFile(`${dir}/certs/shop.crt`, 'NEW');
    expect(w.previousMode).toBe(0o640);
    expect(Buffer.from(w.previous ?? []).toString()).toBe('OLD');
    expect(await readFile(`${dir}/certs/shop.crt`, 'utf8')).toBe('NEW');
    await sb.restoreFile(w);
    expect(await readFile(`${dir}/certs/shop.crt`, 'utf8')).toBe('OLD');
    expect((await stat(`${dir}/certs/shop.crt`)).mode & 0o777).toBe(0o640);
  });

  it('records permission bits only, even from a host whose lstat reports the full st_mode', async () => {
    await writeFile(`${dir}/certs/full.crt`, 'OLD', { mode: 0o640 });
    const local = new LocalHost();
    const fullMode: Host = {
      kind: 'local',
      label: 'full st_mode',
      realpath: (p, sig) => local.realpath(p, sig),
      lstat: async (p, sig) => {
        const s = await local.lstat(p, sig);
        return s === null ? null : { ...s, mode: s.mode | 0o100000 };
      },
      readFileBeneath: (r, p, o) => local.readFileBeneath(r, p, o),
      replaceFileBeneath: async (r, p, d, o) => {
        const prev = await local.replaceFileBeneath(r, p, d, o);
        return prev === null ? null : { ...prev, stat: { ...prev.stat, mode: prev.stat.mode | 0o100000 } };
      },
      unlinkBeneath: (r, p, sig) => local.unlinkBeneath(r, p, sig),
      writeFileSetBeneath: (r, d, e, o) => local.writeFileSetBeneath(r, d, e, o),
      removeFileSetBeneath: (r, d, n, sig) => local.removeFileSetBeneath(r, d, n, sig),
      exec: (a, o) => local.exec(a, o),
      connectUnix: (p, sig) => local.connectUnix(p, sig),
      close: () => local.close(),
    };
    const sb = createSandbox({ grant: grant(), host: fullMode });
    const w = await sb.writeFile(`${dir}/certs/full.crt`, 'NEW');
    expect(w.previousMode).toBe(0o640);
    await sb.restoreFile(w);
    expect((await stat(`${dir}/certs/full.crt`)).mode & 0o7777).toBe(0o640);
  });

  it('deletes a file that did not exist before', async () => {
    const sb = createSandbox({ grant: grant(), host });
    const w = await sb.writeFile(`${dir}/certs/new.key`, KEY);
    expect(w).toMatchObject({ previous: null, previousMode: null });
    await sb.restoreFile(w);
    expect(await readdir(`${dir}/certs`)).toEqual(['sub']);
    await sb.restoreFile(w);
  });

  it.skipIf(process.getuid?.() !== 0)('puts back the previous owner when the write changed it', async () => {
    await writeFile(`${dir}/certs/own.key`, 'OLD', { mode: 0o600 });
    execFileSync('/bin/chown', ['1001:1002', `${dir}/certs/own.key`]);
    const sb = createSandbox({ grant: grant(), host });
    const w = await sb.writeFile(`${dir}/certs/own.key`, 'NEW', { owner: 0, group: 0 });
    expect((await stat(`${dir}/certs/own.key`)).uid).toBe(0);
    await sb.restoreFile(w);
    const s = await stat(`${dir}/certs/own.key`);
    expect([s.uid, s.gid]).toEqual([1001, 1002]);
  });

  it('denies a restore outside the write roots (a forged FileWrite)', async () => {
    const sb = createSandbox({ grant: grant(), host });
    await denial(sb.restoreFile({ path: `${dir}/outside/secret.key`, previous: null, previousMode: null }));
    expect(await readdir(`${dir}/outside`)).toEqual(['secret.key']);
  });
});

/**
 * Sandbox.writeFileSet: certificate and key change together with one rename (issue 12 item 7),
 * through the same checked, no-follow path as every other write (issue 9).
 */
import { lstat, mkdir, readdir, readFile, readlink, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, isDenied, LocalHost, type Grant } from '../../../packages/connector-sdk/src/sandbox/index.ts';
import { makeTempDir, removeDir } from './support/temp-dir.ts';

const KEY = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';
const host = new LocalHost();
let dir: string;
let d: string;

const grant = (): Grant => ({ read: [], write: [`${d}/tls.crt`, `${d}/tls.key`], dial: [], exec: [] });
const text = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString());
const versions = async () => (await readdir(d)).filter((n) => n.startsWith('..') && n !== '..data');

async function denied(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isDenied(err), `expected DeniedError, got ${String(err)}`).toBe(true);
  return (err as Error).message;
}

beforeEach(async () => {
  dir = await makeTempDir();
  d = `${dir}/tls`;
  await mkdir(d);
  await mkdir(`${dir}/elsewhere`);
  await writeFile(`${dir}/elsewhere/tls.key`, 'OUTSIDE');
});
afterEach(() => removeDir(dir));

describe('writeFileSet', () => {
  it('publishes a version directory, swaps ..data and links the configured names to it', async () => {
    const sb = createSandbox({ grant: grant(), host });
    const w = await sb.writeFileSet([{ path: `${d}/tls.crt`, data: 'CERT-1' }, { path: `${d}/tls.key`, data: KEY }]);
    expect(w.previous).toEqual([null, null]);
    expect(await readlink(`${d}/tls.crt`)).toBe('..data/tls.crt');
    expect(await readlink(`${d}/tls.key`)).toBe('..data/tls.key');
    const [version] = await versions();
    expect(await readlink(`${d}/..data`)).toBe(version);
    expect(await readFile(`${d}/tls.crt`, 'utf8')).toBe('CERT-1');
    expect((await stat(`${d}/tls.key`)).mode & 0o777).toBe(0o600);
    expect(text(await sb.readFile(`${d}/tls.crt`))).toBe('CERT-1');

    const w2 = await sb.writeFileSet([{ path: `${d}/tls.crt`, data: 'CERT-2' }, { path: `${d}/tls.key`, data: `${KEY}2` }]);
    expect(w2.previous.map(text)).toEqual(['CERT-1', KEY]);
    expect(await versions()).toHaveLength(1);
    expect(await readFile(`${d}/tls.key`, 'utf8')).toBe(`${KEY}2`);
    await sb.restoreFileSet(w2);
    expect([await readFile(`${d}/tls.crt`, 'utf8'), await readFile(`${d}/tls.key`, 'utf8')]).toEqual(['CERT-1', KEY]);
    await sb.restoreFileSet(w);
    expect((await readdir(d)).sort()).toEqual([]);
  });

  it('a second rotation from a new sandbox (the controller makes one per deploy) writes the set again', async () => {
    // Found by the progressive rollout test: the grant's exact file path resolved into the
    // version directory of the first write, so the next deploy was "outside the write roots".
    await createSandbox({ grant: grant(), host }).writeFileSet([{ path: `${d}/tls.crt`, data: 'CERT-1' }, { path: `${d}/tls.key`, data: KEY }]);
    const next = createSandbox({ grant: grant(), host });
    const w = await next.writeFileSet([{ path: `${d}/tls.crt`, data: 'CERT-2' }, { path: `${d}/tls.key`, data: `${KEY}2` }]);
    expect(w.previous.map(text)).toEqual(['CERT-1', KEY]);
    expect(await readFile(`${d}/tls.crt`, 'utf8')).toBe('CERT-2');
    expect(text(await next.readFile(`${d}/tls.crt`))).toBe('CERT-2');
    await next.restoreFileSet(w);
    expect(await readFile(`${d}/tls.crt`, 'utf8')).toBe('CERT-1');
    await createSandbox({ grant: grant(), host }).writeFileSet([{ path: `${d}/tls.crt`, data: 'CERT-3' }, { path: `${d}/tls.key`, data: KEY }]);
    expect(await readFile(`${d}/tls.crt`, 'utf8')).toBe('CERT-3');
  });

  it('a granted name that someone linked out of its directory still resolves (and is denied) where it points', async () => {
    await symlink(`${dir}/elsewhere/tls.key`, `${d}/tls.key`);
    expect(await denied(createSandbox({ grant: grant(), host }).writeFileSet([{ path: `${d}/tls.crt`, data: 'CERT' }, { path: `${d}/tls.key`, data: KEY }]))).toMatch(/outside the write roots|symbolic link/);
    expect(await readFile(`${dir}/elsewhere/tls.key`, 'utf8')).toBe('OUTSIDE');
  });

  it('converts plain files (the InPlace layout) and restores their contents', async () => {
    await writeFile(`${d}/tls.crt`, 'OLD-CERT', { mode: 0o644 });
    await writeFile(`${d}/tls.key`, 'OLD-KEY', { mode: 0o600 });
    const sb = createSandbox({ grant: grant(), host });
    const w = await sb.writeFileSet([{ path: `${d}/tls.crt`, data: 'NEW-CERT' }, { path: `${d}/tls.key`, data: KEY }]);
    expect(w.previous.map(text)).toEqual(['OLD-CERT', 'OLD-KEY']);
    expect((await lstat(`${d}/tls.crt`)).isSymbolicLink()).toBe(true);
    await sb.restoreFileSet(w);
    expect(await readFile(`${d}/tls.key`, 'utf8')).toBe('OLD-KEY');
    expect((await stat(`${d}/tls.key`)).mode & 0o777).toBe(0o600);
  });

  it('refuses a set across directories, outside the grant, or with a world-readable key', async () => {
    await mkdir(`${d}/sub`);
    const sb = createSandbox({ grant: { ...grant(), write: [...grant().write, `${d}/sub/tls.key`] }, host });
    expect(await denied(sb.writeFileSet([{ path: `${d}/tls.crt`, data: 'C' }, { path: `${d}/sub/tls.key`, data: KEY }]))).toContain('one directory');
    await denied(sb.writeFileSet([{ path: `${d}/tls.crt`, data: 'C' }, { path: `${d}/other.key`, data: KEY }]));
    await denied(sb.writeFileSet([{ path: `${d}/tls.crt`, data: 'C' }, { path: `${d}/tls.key`, data: KEY, mode: 0o644 }]));
    expect(await readdir(d)).toEqual(['sub']);
  });

  it('follows only its own links: a foreign ..data or a foreign link is refused, nothing written outside', async () => {
    await symlink(`${dir}/elsewhere`, `${d}/..data`);
    const sb = createSandbox({ grant: grant(), host });
    await denied(sb.writeFileSet([{ path: `${d}/tls.crt`, data: 'C' }, { path: `${d}/tls.key`, data: KEY }]));
    expect(await sb.readFile(`${d}/tls.key`)).toBeNull();
    expect(await readdir(`${dir}/elsewhere`)).toEqual(['tls.key']);

    await removeDir(d);
    await mkdir(d);
    await symlink('../elsewhere/tls.key', `${d}/tls.key`);
    await denied(sb.writeFileSet([{ path: `${d}/tls.crt`, data: 'C' }, { path: `${d}/tls.key`, data: KEY }]));
    await denied(sb.readFile(`${d}/tls.key`));
    expect(await readFile(`${dir}/elsewhere/tls.key`, 'utf8')).toBe('OUTSIDE');
  });

  it('removes stale version directories and temp files an interrupted write left behind', async () => {
    const sb = createSandbox({ grant: grant(), host });
    await sb.writeFileSet([{ path: `${d}/tls.crt`, data: 'C1' }, { path: `${d}/tls.key`, data: KEY }]);
    const stale = `${d}/..2026_01_01T00_00_00.000Z_0123456789ab`;
    await mkdir(stale);
    await writeFile(`${stale}/tls.key`, KEY);
    await writeFile(`${d}/.tls.crt.0123456789ab.tmp`, 'PARTIAL');
    const old = new Date(Date.now() - 5 * 60_000);
    await utimes(stale, old, old);
    await utimes(`${d}/.tls.crt.0123456789ab.tmp`, old, old);
    await sb.writeFileSet([{ path: `${d}/tls.crt`, data: 'C2' }, { path: `${d}/tls.key`, data: KEY }]);
    const left = await readdir(d);
    expect(left).not.toContain('..2026_01_01T00_00_00.000Z_0123456789ab');
    expect(left).not.toContain('.tls.crt.0123456789ab.tmp');
    expect(await versions()).toHaveLength(1);
  });
});

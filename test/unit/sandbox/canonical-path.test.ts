import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CanonicalRejection, canonicalizeForRead, canonicalizeForWrite, canonicalizeRoots } from '../../../packages/connector-sdk/src/sandbox/check/canonical-path.ts';
import { PathRejection } from '../../../packages/connector-sdk/src/sandbox/check/path-check.ts';
import { LocalHost } from '../../../packages/connector-sdk/src/sandbox/host/local-host.ts';
import { makeTempDir, removeDir } from './support/temp-dir.ts';

const host = new LocalHost();
let dir: string;

beforeEach(async () => {
  dir = await makeTempDir();
  await mkdir(`${dir}/root/sub`, { recursive: true });
  await mkdir(`${dir}/outside`);
  await writeFile(`${dir}/root/a.crt`, 'A');
  await writeFile(`${dir}/outside/secret`, 'S');
  await symlink(`${dir}/outside`, `${dir}/root/escape`);
  await symlink(`${dir}/outside/secret`, `${dir}/root/secret-link`);
  await symlink(`${dir}/root/a.crt`, `${dir}/root/inner-link`);
  await symlink(`${dir}/root`, `${dir}/root-alias`);
});
afterEach(() => removeDir(dir));

describe('canonicalizeForRead', () => {
  it('resolves symlinks of existing paths, including one that leads outside', async () => {
    expect(await canonicalizeForRead(host, `${dir}/root/a.crt`)).toEqual({ ok: true, path: `${dir}/root/a.crt` });
    expect(await canonicalizeForRead(host, `${dir}/root/secret-link`)).toEqual({ ok: true, path: `${dir}/outside/secret` });
    expect(await canonicalizeForRead(host, `${dir}/root/escape/secret`)).toEqual({ ok: true, path: `${dir}/outside/secret` });
    expect(await canonicalizeForRead(host, `${dir}/root/inner-link`)).toEqual({ ok: true, path: `${dir}/root/a.crt` });
  });

  it('resolves the deepest existing prefix of a missing path', async () => {
    expect(await canonicalizeForRead(host, `${dir}/root/escape/new/deeper`)).toEqual({ ok: true, path: `${dir}/outside/new/deeper` });
    expect(await canonicalizeForRead(host, `${dir}/root-alias/missing`)).toEqual({ ok: true, path: `${dir}/root/missing` });
  });

  it('applies .. lexically before resolving (the checked path is the path used)', async () => {
    expect(await canonicalizeForRead(host, `${dir}/root/sub/../a.crt`)).toEqual({ ok: true, path: `${dir}/root/a.crt` });
  });

  it('refuses relative paths and NUL bytes', async () => {
    expect(await canonicalizeForRead(host, 'root/a.crt')).toEqual({ ok: false, reason: PathRejection.Relative });
    expect(await canonicalizeForRead(host, `${dir}/root/a\0`)).toEqual({ ok: false, reason: PathRejection.Nul });
  });

  it('rethrows an abort instead of reporting it as unresolvable', async () => {
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(canonicalizeForRead(host, `${dir}/root/a.crt`, ac.signal)).rejects.toThrow('stop');
  });
});

describe('canonicalizeForWrite', () => {
  it('resolves the parent and keeps the final name', async () => {
    expect(await canonicalizeForWrite(host, `${dir}/root-alias/new.key`)).toEqual({ ok: true, path: `${dir}/root/new.key` });
    expect(await canonicalizeForWrite(host, `${dir}/root/escape/new.key`)).toEqual({ ok: true, path: `${dir}/outside/new.key` });
  });

  it('refuses a final symlink, a directory and the root', async () => {
    expect(await canonicalizeForWrite(host, `${dir}/root/secret-link`)).toEqual({ ok: false, reason: CanonicalRejection.FinalSymlink });
    expect(await canonicalizeForWrite(host, `${dir}/root/sub`)).toEqual({ ok: false, reason: CanonicalRejection.Directory });
    expect(await canonicalizeForWrite(host, '/')).toEqual({ ok: false, reason: CanonicalRejection.NoName });
  });
});

describe('canonicalizeRoots', () => {
  it('resolves roots through symlinks, keeps missing roots lexically and drops invalid ones', async () => {
    const roots = await canonicalizeRoots(host, [`${dir}/root-alias`, `${dir}/missing/x`, 'relative', `${dir}/root`]);
    expect(roots).toEqual([`${dir}/root`, `${dir}/missing/x`]);
  });
});

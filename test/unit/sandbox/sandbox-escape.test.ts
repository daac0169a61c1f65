/**
 * Tenant-boundary escapes of the file sandbox (issue 9, "Sandbox hardening"). Every case here
 * was reproduced against the previous code: a symlinked directory below a policy root, a
 * symlink swapped in while the sandbox works, a hard link to a file outside, a forged restore
 * record with a setuid mode, an unbounded read.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { link, lstat, mkdir, readdir, readFile, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, isDenied, LocalHost, type DeniedError } from '../../../packages/connector-sdk/src/sandbox/index.ts';
import { makeTempDir, removeDir } from './support/temp-dir.ts';

const SECRET = 'OUTSIDE-SECRET-CONTENT\n';
const host = new LocalHost();
let dir: string;

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
  await mkdir(`${dir}/root/sub`, { recursive: true });
  await mkdir(`${dir}/elsewhere`);
  await writeFile(`${dir}/elsewhere/secret.key`, SECRET);
});
afterEach(() => removeDir(dir));

describe('symlinked directory below a policy root', () => {
  it('denies declared paths that resolve outside the policy root (ROOT/d -> /elsewhere)', async () => {
    await symlink(`${dir}/elsewhere`, `${dir}/root/d`);
    const declared = { read: [], write: [`${dir}/root/d/x.crt`, `${dir}/root/d/x.key`], dial: [], exec: [] };
    const sb = createSandbox({ grant: declared, policy: { pathRoots: [`${dir}/root`] }, host });
    await denial(sb.writeFile(`${dir}/root/d/x.crt`, 'CERT'));
    await denial(sb.writeFile(`${dir}/root/d/x.key`, 'KEY'));
    await denial(sb.readFile(`${dir}/root/d/secret.key`));
    expect((await readdir(`${dir}/elsewhere`)).sort()).toEqual(['secret.key']);
  });

  it('still allows a policy root that is itself reached through a symlink', async () => {
    await symlink(`${dir}/root`, `${dir}/alias`);
    const declared = { read: [], write: [`${dir}/root/sub/x.crt`], dial: [], exec: [] };
    const sb = createSandbox({ grant: declared, policy: { pathRoots: [`${dir}/alias`] }, host });
    await sb.writeFile(`${dir}/root/sub/x.crt`, 'CERT');
    expect(await readFile(`${dir}/root/sub/x.crt`, 'utf8')).toBe('CERT');
  });
});

describe('hard links, modes of restores, read cap', () => {
  it('refuses to read or replace a file with more than one hard link', async () => {
    await link(`${dir}/elsewhere/secret.key`, `${dir}/root/alias.key`);
    const sb = createSandbox({ grant: { read: [], write: [`${dir}/root`], dial: [], exec: [] }, host });
    const r = await denial(sb.readFile(`${dir}/root/alias.key`));
    expect(r.message).toContain('more than one hard link');
    await denial(sb.writeFile(`${dir}/root/alias.key`, 'NEW'));
    expect(await readFile(`${dir}/elsewhere/secret.key`, 'utf8')).toBe(SECRET);
  });

  it('refuses a restore record with setuid/setgid/sticky bits or a world-readable key', async () => {
    const sb = createSandbox({ grant: { read: [], write: [`${dir}/root`], dial: [], exec: [] }, host });
    const w = await sb.writeFile(`${dir}/root/a.key`, 'NEW');
    await denial(sb.restoreFile({ ...w, previous: new TextEncoder().encode('OLD'), previousMode: 0o4777 }));
    const key = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';
    await denial(sb.restoreFile({ ...w, previous: new TextEncoder().encode(key), previousMode: 0o644 }));
    await denial(sb.restoreFile({ ...w, previous: new TextEncoder().encode('OLD'), previousMode: 0o600, previousUid: -5 }));
    const s = await stat(`${dir}/root/a.key`);
    expect(s.mode & 0o7777).toBe(0o600);
    expect(await readFile(`${dir}/root/a.key`, 'utf8')).toBe('NEW');
  });

  it('caps reads at 1 MiB', async () => {
    await writeFile(`${dir}/root/big.pem`, Buffer.alloc(1024 * 1024 + 1, 0x41));
    await writeFile(`${dir}/root/ok.pem`, Buffer.alloc(1024 * 1024, 0x41));
    const sb = createSandbox({ grant: { read: [`${dir}/root`], write: [], dial: [], exec: [] }, host });
    expect((await denial(sb.readFile(`${dir}/root/big.pem`))).message).toContain('read cap');
    expect((await sb.readFile(`${dir}/root/ok.pem`))?.byteLength).toBe(1024 * 1024);
  });
});

describe('stale temp files of interrupted writes', () => {
  it('removes our old temp files on the next write to that directory, and nothing else', async () => {
    const old = new Date(Date.now() - 5 * 60_000);
    const stale = ['.tls.crt.0123456789ab.tmp', '.tls.key.cd-0123456789abcdef.tmp'];
    const kept = ['.tls.crt.fedcba987654.tmp', '.unrelated.tmp', 'tls.crt.0123456789ab.tmp'];
    for (const n of [...stale, ...kept]) await writeFile(`${dir}/root/${n}`, 'PARTIAL');
    for (const n of [...stale, kept[1] as string, kept[2] as string]) await utimes(`${dir}/root/${n}`, old, old);
    const sb = createSandbox({ grant: { read: [], write: [`${dir}/root/tls.crt`], dial: [], exec: [] }, host });
    await sb.writeFile(`${dir}/root/tls.crt`, 'CERT');
    expect((await readdir(`${dir}/root`)).sort()).toEqual([...kept, 'sub', 'tls.crt'].sort());
  });
});

/** A separate process that keeps swapping `root/sub` between a real directory and a symlink to `elsewhere`. */
function startSwapper(): ChildProcess {
  const script = `
    const fs = require('node:fs');
    const [sub, real, target] = process.argv.slice(1);
    for (;;) {
      try { fs.renameSync(sub, real); fs.symlinkSync(target, sub); fs.unlinkSync(sub); fs.renameSync(real, sub); } catch {}
    }`;
  return spawn(process.execPath, ['-e', script, `${dir}/root/sub`, `${dir}/root/.sub-real`, `${dir}/elsewhere`], { stdio: 'ignore' });
}

describe('symlink swap race inside a granted directory', () => {
  it('never reads, writes or restores outside the root while a symlink is swapped in and out', async () => {
    await writeFile(`${dir}/root/sub/secret.key`, 'INSIDE\n');
    const sb = createSandbox({ grant: { read: [], write: [`${dir}/root`], dial: [], exec: [] }, host });
    const swapper = startSwapper();
    const outcomes = { ok: 0, refused: 0, outsideRead: 0 };
    try {
      const until = Date.now() + 4000;
      while (Date.now() < until) {
        try {
          const read = await sb.readFile(`${dir}/root/sub/secret.key`);
          if (read !== null && Buffer.from(read).toString() === SECRET) outcomes.outsideRead++;
          const w = await sb.writeFile(`${dir}/root/sub/secret.key`, 'NEW\n', { mode: 0o600 });
          if (w.previous !== null && Buffer.from(w.previous).toString() === SECRET) outcomes.outsideRead++;
          await sb.restoreFile(w);
          outcomes.ok++;
        } catch {
          outcomes.refused++;
        }
      }
    } finally {
      const exited = new Promise((resolve) => swapper.once('exit', resolve));
      swapper.kill('SIGKILL');
      await exited;
    }
    // The race really ran both ways: some rounds completed, some hit the symlink.
    expect(outcomes.ok).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
    expect(outcomes.outsideRead).toBe(0);
    expect(await readFile(`${dir}/elsewhere/secret.key`, 'utf8')).toBe(SECRET);
    expect((await readdir(`${dir}/elsewhere`)).sort()).toEqual(['secret.key']);
    // Wherever the swapper left the real directory, it never received the outside content.
    const realSub = (await lstat(`${dir}/root/.sub-real`).catch(() => null)) === null ? 'sub' : '.sub-real';
    if ((await lstat(`${dir}/root/${realSub}`)).isDirectory()) {
      for (const n of await readdir(`${dir}/root/${realSub}`)) expect(await readFile(`${dir}/root/${realSub}/${n}`, 'utf8')).not.toBe(SECRET);
    }
  }, 20_000);
});

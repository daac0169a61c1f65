import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, isDenied, LocalHost, type ExecRule, type Grant } from '../../../packages/connector-sdk/src/sandbox/index.ts';
import { makeTempDir, removeDir } from './support/temp-dir.ts';

const host = new LocalHost();
let dir: string;

const rules = (): ExecRule[] => [
  { argv: ['/bin/true'] },
  { argv: ['/bin/echo', 'reloaded'] },
  { argv: ['/bin/cat', { placeholder: 'file', kind: 'path' }] },
  { argv: ['/bin/echo', 'unit', { placeholder: 'unit', kind: 'token' }] },
  { argv: ['/bin/sh', '-c', 'echo granted'] },
];
const grant = (): Grant => ({ read: [`${dir}/conf`], write: [], dial: [], exec: rules() });

async function caughtDenial(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isDenied(err), `expected DeniedError, got ${String(err)}`).toBe(true);
  return err as Error;
}

async function expectDenied(p: Promise<unknown>): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isDenied(err), `expected DeniedError, got ${String(err)}`).toBe(true);
  expect(err).toMatchObject({ capability: 'exec' });
}

beforeEach(async () => {
  dir = await makeTempDir();
  await mkdir(`${dir}/conf`);
  await mkdir(`${dir}/outside`);
  await writeFile(`${dir}/conf/nginx.conf`, 'events {}\n');
  await writeFile(`${dir}/outside/secret`, 'SECRET\n');
  await symlink(`${dir}/outside/secret`, `${dir}/conf/link`);
});
afterEach(() => removeDir(dir));

describe('Sandbox.exec', () => {
  it('runs exactly granted argv vectors', async () => {
    const sb = createSandbox({ grant: grant(), host });
    expect((await sb.exec(['/bin/true'])).exitCode).toBe(0);
    expect((await sb.exec(['/bin/echo', 'reloaded'])).stdout).toBe('reloaded\n');
    expect((await sb.exec(['/bin/sh', '-c', 'echo granted'])).stdout).toBe('granted\n');
  });

  it('denies an extra argument, a missing argument and a different program', async () => {
    const sb = createSandbox({ grant: grant(), host });
    await expectDenied(sb.exec(['/bin/true', '--version']));
    await expectDenied(sb.exec(['/bin/echo']));
    await expectDenied(sb.exec(['/bin/false']));
    const bare = await caughtDenial(sb.exec(['true']));
    expect(bare.message).toContain('must be an absolute path');
    await expectDenied(sb.exec(['/bin/sh', '-c', 'echo granted; id']));
    await expectDenied(sb.exec([]));
  });

  it('admits a path placeholder only for a canonical path inside the roots', async () => {
    const sb = createSandbox({ grant: grant(), host });
    expect((await sb.exec(['/bin/cat', `${dir}/conf/nginx.conf`])).stdout).toBe('events {}\n');
    await expectDenied(sb.exec(['/bin/cat', `${dir}/outside/secret`]));
    await expectDenied(sb.exec(['/bin/cat', `${dir}/conf/../outside/secret`]));
    await expectDenied(sb.exec(['/bin/cat', `${dir}/conf/link`]));
    await expectDenied(sb.exec(['/bin/cat', 'conf/nginx.conf']));
  });

  it('admits a token placeholder only for a safe token', async () => {
    const sb = createSandbox({ grant: grant(), host });
    expect((await sb.exec(['/bin/echo', 'unit', 'nginx.service'])).stdout).toBe('unit nginx.service\n');
    await expectDenied(sb.exec(['/bin/echo', 'unit', '-e']));
    await expectDenied(sb.exec(['/bin/echo', 'unit', 'a b']));
  });

  it('policy commands narrow the rules', async () => {
    const sb = createSandbox({ grant: grant(), policy: { commands: [['/bin/true'], ['/bin/cat', '{file}']] }, host });
    expect(sb.grant.exec).toHaveLength(2);
    expect((await sb.exec(['/bin/true'])).exitCode).toBe(0);
    expect((await sb.exec(['/bin/cat', `${dir}/conf/nginx.conf`])).exitCode).toBe(0);
    await expectDenied(sb.exec(['/bin/echo', 'reloaded']));
  });

  it('passes timeouts and output caps through to the host', async () => {
    const sb = createSandbox({ grant: { ...grant(), exec: [{ argv: ['/bin/sleep', '5'] }, { argv: ['/bin/cat', '/dev/zero'] }], read: [] }, host });
    expect(await sb.exec(['/bin/sleep', '5'], { timeoutMs: 100 })).toMatchObject({ timedOut: true });
    const big = await sb.exec(['/bin/cat', '/dev/zero'], { maxOutputBytes: 4096, timeoutMs: 300 });
    expect(big.truncated).toBe(true);
    expect(big.stdout.length).toBe(4096);
  });
});

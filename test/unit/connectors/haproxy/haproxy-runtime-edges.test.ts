/**
 * The `haproxy` connector's runtime-API edges against a real HAProxy 2.6 on the local host:
 * a socket that refuses (before and after the write), the file and the running process out of
 * step in either direction (the file always wins: any file change is pushed too), a path HAProxy never loaded, a cancel while `set ssl cert` is held,
 * a failure after the commit (the previous certificate is pushed back), the root left out by
 * default, Ed25519 idempotency (HAProxy 2.6 prints no SHA-1 for it), and a socket that is not
 * HAProxy's.
 */
import { rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toCombinedPem } from '../../../../packages/connector-sdk/src/formats/index.ts';
import { CertDeployerError, ErrorCode } from '../../../../packages/connector-sdk/src/sandbox/errors.ts';
import { LocalHost } from '../../../../packages/connector-sdk/src/sandbox/host/local-host.ts';
import { mintCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { deployOnce, fileText, mustDeploy, newTarget, runtimeConnector, servedLeaf, TamperingSandbox, type Target } from './helpers.ts';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const host = new LocalHost();
const local = { local: {} };
let target: Target | undefined;

afterEach(async () => {
  await target?.dispose();
  target = undefined;
});

async function deployedWith(name: string, opts: Parameters<typeof mintCredential>[0] = {}) {
  const [a, b] = await Promise.all([mintCredential({ name: `${name} A`, ...opts }), mintCredential({ name: `${name} B`, ...opts })]);
  target = await newTarget();
  const connector = runtimeConnector(target, local);
  await mustDeploy(connector, host, a.deployment);
  return { a, b, t: target, connector, before: await fileText(target.server) };
}

const retryableOf = (e: unknown): unknown => (e as { retryable?: unknown }).retryable;

describe('haproxy runtime API edges (local host)', () => {
  it('a socket that answers nothing: retryable, nothing written', async () => {
    const { b, t, connector, before } = await deployedWith('Refuse');
    t.proxy.mode = 'refuse';
    const o = await deployOnce(connector, host, b.deployment);
    expect(o.ok).toBe(false);
    if (!o.ok) expect(retryableOf(o.error)).toBe(true);
    expect(o.sandbox.calls.writeFile.attempted).toBe(0);
    expect(await fileText(t.server)).toBe(before);
  });

  it('a socket that is gone: the sandbox\'s unreachable error, retryable', async () => {
    const { b, t, connector } = await deployedWith('Gone');
    await t.proxy.close();
    await rm(t.proxy.socketPath, { force: true });
    const o = await deployOnce(connector, host, b.deployment);
    expect(o.ok).toBe(false);
    if (!o.ok) expect(o.error).toMatchObject({ retryable: true });
  });

  it('the socket stops answering after the write: file restored, previous certificate served, retryable', async () => {
    const { a, b, t, connector, before } = await deployedWith('Late refuse');
    const refuseOnSet = (_addr: string, data: string): string => {
      if (data.startsWith('set ssl cert ')) t.proxy.mode = 'refuse';
      return data;
    };
    const o = await deployOnce(connector, host, b.deployment, { wrap: (inner) => new TamperingSandbox(inner, refuseOnSet) });
    expect(o.ok).toBe(false);
    if (!o.ok) {
      expect(retryableOf(o.error)).toBe(true);
      expect((o.error as Error).message).toMatch(/without an answer.*|previous file restored/);
    }
    expect(o.sandbox.calls.writeFile.completed).toBe(1);
    expect(await fileText(t.server)).toBe(before);
    expect(await servedLeaf(t.server)).toBe(a.deployment.fingerprint);
  });

  it('file current but the process behind (a crash after the write): no write, only the hot update', async () => {
    const { b, t, connector } = await deployedWith('Behind');
    await writeFile(t.server.certificatePath, toCombinedPem(b.deployment).reveal(), { mode: 0o600 });
    t.proxy.reset();
    const r = await mustDeploy(connector, host, b.deployment);
    expect(r.changed).toBe(true);
    expect(r.sandbox.calls.writeFile.attempted).toBe(0);
    expect(t.proxy.counts.get('set ssl cert')).toBe(1);
    expect(t.proxy.counts.get('commit ssl cert')).toBe(1);
    expect(await servedLeaf(t.server)).toBe(b.deployment.fingerprint);
  });

  it('process current but the file behind (a hot update by hand): the file is written, and the update repeated (show ssl cert cannot prove the chain)', async () => {
    const { b, t, connector } = await deployedWith('File behind');
    const pem = toCombinedPem(b.deployment).reveal();
    expect(await t.server.command(`set ssl cert ${t.server.certificatePath} <<\n${pem}\n`)).toMatch(/Transaction created/);
    expect(await t.server.command(`commit ssl cert ${t.server.certificatePath}`)).toMatch(/Success!/);
    t.proxy.reset();
    const r = await mustDeploy(connector, host, b.deployment);
    expect(r.changed).toBe(true);
    expect(r.sandbox.calls.writeFile.completed).toBe(1);
    expect(t.proxy.counts.get('commit ssl cert')).toBe(1);
    expect(await fileText(t.server)).toBe(pem);
    expect(await servedLeaf(t.server)).toBe(b.deployment.fingerprint);
  });

  it('a path HAProxy never loaded: terminal, says so, writes nothing', async () => {
    const cred = await mintCredential({ name: 'Unknown path' });
    target = await newTarget();
    const other = join(target.server.dir, 'certs', 'other.pem');
    const connector = runtimeConnector(target, local, { certificatePath: other });
    const o = await deployOnce(connector, host, cred.deployment);
    expect(o.ok).toBe(false);
    if (!o.ok) {
      expect(retryableOf(o.error)).toBe(false);
      expect((o.error as Error).message).toMatch(/no certificate loaded from .*other\.pem/);
    }
    expect(o.sandbox.calls.writeFile.attempted).toBe(0);
    await expect(stat(other)).rejects.toThrow(/ENOENT/);
  });

  it('a cancel while set ssl cert is held: rejects, file restored, no transaction left, the replay deploys', async () => {
    const { a, b, t, connector, before } = await deployedWith('Cancel');
    t.proxy.mode = 'slow';
    const ac = new AbortController();
    const abortOnSet = (_addr: string, data: string): string => {
      if (data.startsWith('set ssl cert ')) setTimeout(() => ac.abort(new Error('test: cancelled during set ssl cert')), 200);
      return data;
    };
    const o = await deployOnce(connector, host, b.deployment, { signal: ac.signal, wrap: (inner) => new TamperingSandbox(inner, abortOnSet) });
    expect(o.ok).toBe(false);
    expect(ac.signal.aborted).toBe(true);
    expect(await fileText(t.server)).toBe(before);
    expect(await servedLeaf(t.server)).toBe(a.deployment.fingerprint);
    expect(await t.server.command(`abort ssl cert ${t.server.certificatePath}`)).toMatch(/No ongoing transaction/);
    t.proxy.mode = 'ok';
    expect((await mustDeploy(connector, host, b.deployment)).changed).toBe(true);
    expect(await servedLeaf(t.server)).toBe(b.deployment.fingerprint);
  });

  it('a failure after the commit went through: the previous certificate is pushed back and the file restored', async () => {
    const { a, b, t, connector, before } = await deployedWith('After commit');
    let committed = false;
    let failed = false;
    const loseAfterCommit = (_addr: string, data: string): string => {
      if (data.startsWith('commit ssl cert ')) committed = true;
      else if (committed && !failed && data.startsWith('show ssl cert ')) {
        failed = true;
        throw new CertDeployerError(ErrorCode.Unreachable, 'test: connection lost after the commit', { retryable: true });
      }
      return data;
    };
    const o = await deployOnce(connector, host, b.deployment, { wrap: (inner) => new TamperingSandbox(inner, loseAfterCommit) });
    expect(o.ok).toBe(false);
    if (!o.ok) expect(o.error).toMatchObject({ code: ErrorCode.Unreachable, retryable: true });
    expect(failed).toBe(true);
    expect(await fileText(t.server)).toBe(before);
    expect(await servedLeaf(t.server)).toBe(a.deployment.fingerprint);
    expect(t.proxy.counts.get('commit ssl cert')).toBe(3); // A, B, and A pushed back
  });

  it('the root from ca.crt is left out of the file and the served chain by default', async () => {
    const cred = await mintCredential({ name: 'Root', withRoot: true, intermediates: 1 });
    target = await newTarget();
    await mustDeploy(runtimeConnector(target, local), host, cred.deployment);
    const withoutRoot = cred.chainFingerprints.slice(0, -1);
    expect((await target.server.served()).fingerprints).toEqual(withoutRoot);
    expect((await fileText(target.server)).match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });

  it('Ed25519: HAProxy 2.6 prints no SHA-1, and the replay is still a no-op (serial and expiry)', async () => {
    const cred = await mintCredential({ name: 'Ed', keyAlgorithm: 'ed25519' });
    target = await newTarget();
    const connector = runtimeConnector(target, local);
    await mustDeploy(connector, host, cred.deployment);
    expect(await target.server.command(`show ssl cert ${target.server.certificatePath}`)).not.toMatch(/SHA1 FingerPrint/);
    target.proxy.reset();
    const r = await mustDeploy(connector, host, cred.deployment);
    expect(r.changed).toBe(false);
    expect(target.proxy.mutations()).toBe(0);
    const other = await mintCredential({ name: 'Ed other', keyAlgorithm: 'ed25519' });
    expect((await mustDeploy(connector, host, other.deployment)).changed).toBe(true);
    expect(await servedLeaf(target.server)).toBe(other.deployment.fingerprint);
  });

  it('a socket that is not HAProxy\'s: terminal, writes nothing', async () => {
    const cred = await mintCredential({ name: 'Not haproxy' });
    target = await newTarget();
    const path = join(target.server.dir, 'other.sock');
    const srv = createServer({ allowHalfOpen: true }, (s) => s.on('data', () => undefined).on('end', () => s.end('hello from something else\n')));
    await new Promise<void>((r) => srv.listen(path, r));
    try {
      const o = await deployOnce(runtimeConnector(target, local, { runtimeApi: { socketPath: path } }), host, cred.deployment);
      expect(o.ok).toBe(false);
      if (!o.ok) {
        expect(retryableOf(o.error)).toBe(false);
        expect((o.error as Error).message).toMatch(/did not answer show ssl cert as HAProxy does.*hello from something else/);
      }
      expect(o.sandbox.calls.writeFile.attempted).toBe(0);
    } finally {
      await new Promise((r) => srv.close(r));
    }
  });
});

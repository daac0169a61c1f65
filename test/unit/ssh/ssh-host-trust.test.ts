/**
 * Who we talk to and how we get in: host key pinning, trust on first use, authentication and
 * transport failures, against a real OpenSSH server.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { hasCode, type CertDeployerError } from '../../../packages/connector-sdk/src/sandbox/errors.ts';
import type { SshHost } from '../../../packages/connector-sdk/src/sandbox/host/ssh-host.ts';
import { sshKeygenFingerprint } from '../../../packages/connector-sdk/src/testing/ssh-keys.ts';
import { caught, errorText, secretLines, sshHostFor } from '../../support/sshd/ssh-host-for.ts';
import { startSshd, type Sshd } from '../../../packages/connector-sdk/src/testing/sshd.ts';

// A real sshd on a shared 2-core CI machine: generous bounds (not timing assertions).
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

let sshd: Sshd;
const hosts: SshHost[] = [];
const track = (h: SshHost): SshHost => (hosts.push(h), h);

beforeAll(async () => {
  sshd = await startSshd();
});
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close()));
});
afterAll(async () => {
  await sshd?.stop();
});

const acceptedLogins = async (): Promise<number> => (await sshd.log()).split('\n').filter((l) => l.startsWith('Accepted publickey')).length;

describe('host key pinning', () => {
  it('refuses a server whose key is not the pinned one, before authenticating, and writes nothing', async () => {
    const wrong = await sshd.newKey('not-the-host-key');
    const host = track(sshHostFor(sshd, { hostKey: wrong.publicLine }));
    const target = join(sshd.dir, 'must-not-exist.key');
    const before = await readdir(sshd.dir);
    const loginsBefore = await acceptedLogins();

    const err = await caught(() => host.writeFileAtomic(target, Buffer.from('secret'), { mode: 0o600 }));

    expect(hasCode(err, 'CD_ERR_HOST_KEY_MISMATCH')).toBe(true);
    expect((err as CertDeployerError).retryable).toBe(false);
    const msg = (err as Error).message;
    expect(msg).toContain(`expected ${await sshKeygenFingerprint(wrong.publicPath)}`);
    expect(msg).toContain(`presented ${await sshKeygenFingerprint(sshd.hostKey.publicPath)}`);
    expect(errorText(err)).not.toContain(sshd.hostKey.publicLine.split(' ')[1]);
    expect(errorText(err)).not.toContain(wrong.publicLine.split(' ')[1]);
    expect(existsSync(target)).toBe(false);
    expect(await readdir(sshd.dir)).toEqual(before);
    expect(await acceptedLogins()).toBe(loginsBefore);
  });

  it('refuses exec and unix sockets too under a wrong pin', async () => {
    const wrong = await sshd.newKey('not-the-host-key-2');
    const host = track(sshHostFor(sshd, { hostKey: wrong.publicLine }));
    expect(hasCode(await caught(() => host.exec(['/bin/true'])), 'CD_ERR_HOST_KEY_MISMATCH')).toBe(true);
    expect(hasCode(await caught(() => host.connectUnix('/run/x.sock')), 'CD_ERR_HOST_KEY_MISMATCH')).toBe(true);
  });

  it('reports a pin of a key type the server does not have as a mismatch', async () => {
    const ecdsa = await sshd.newKey('ecdsa-pin', { type: 'ecdsa' });
    const host = track(sshHostFor(sshd, { hostKey: ecdsa.publicLine }));
    const err = await caught(() => host.exec(['/bin/true']));
    expect(hasCode(err, 'CD_ERR_HOST_KEY_MISMATCH')).toBe(true);
    expect((err as Error).message).toMatch(/offers no ecdsa-sha2-nistp256 host key/);
  });

  it('refuses to be built without a pin unless trust on first use is explicitly enabled', async () => {
    for (const opts of [{ hostKey: undefined }, { hostKey: undefined, trustOnFirstUse: false }]) {
      const err = await caught(() => sshHostFor(sshd, opts));
      expect(hasCode(err, 'CD_ERR_HOST_KEY_MISMATCH')).toBe(true);
      expect((err as Error).message).toMatch(/no hostKey pinned/);
    }
  });

  it('trust on first use reports the observed key, which equals the server key', async () => {
    const seen: Array<[string, string]> = [];
    const host = track(sshHostFor(sshd, { hostKey: undefined, trustOnFirstUse: true, onHostKeyObserved: (l, f) => seen.push([l, f]) }));
    expect((await host.exec(['/bin/true'])).exitCode).toBe(0);
    expect(seen).toEqual([[sshd.hostKey.publicLine.split(' ').slice(0, 2).join(' '), await sshKeygenFingerprint(sshd.hostKey.publicPath)]]);
  });

  it('pins RSA and ECDSA host keys too (offering only that key type, RSA with SHA-2)', async () => {
    for (const hostKeyType of ['rsa', 'ecdsa'] as const) {
      const other = await startSshd({ hostKeyType });
      try {
        const good = track(sshHostFor(other));
        expect((await good.exec(['/bin/true'])).exitCode, hostKeyType).toBe(0);
        const wrong = await other.newKey(`wrong-${hostKeyType}`, { type: hostKeyType });
        const bad = track(sshHostFor(other, { hostKey: wrong.publicLine }));
        expect(hasCode(await caught(() => bad.exec(['/bin/true'])), 'CD_ERR_HOST_KEY_MISMATCH'), hostKeyType).toBe(true);
      } finally {
        await Promise.all(hosts.splice(0).map((h) => h.close()));
        await other.stop();
      }
    }
  });

  it('accepts the correct pin in known_hosts form', async () => {
    const host = track(sshHostFor(sshd, { hostKey: `[127.0.0.1]:${sshd.port} ${sshd.hostKey.publicLine}` }));
    expect((await host.exec(['/bin/true'])).exitCode).toBe(0);
  });
});

describe('authentication', () => {
  it('a key not in authorized_keys fails as non-retryable CD_ERR_UNREACHABLE without leaking the key', async () => {
    const stranger = await sshd.newKey('stranger');
    const host = track(sshHostFor(sshd, { privateKey: stranger.privateKey }));
    const err = await caught(() => host.exec(['/bin/true']));
    expect(hasCode(err, 'CD_ERR_UNREACHABLE')).toBe(true);
    expect((err as CertDeployerError).retryable).toBe(false);
    expect((err as Error).message).toMatch(/authentication failed/);
    for (const line of secretLines(stranger.privateKey)) expect(errorText(err)).not.toContain(line);
  });

  it('uses a passphrase-protected key; a wrong passphrase is reported without key material', async () => {
    const locked = await sshd.newKey('locked', { passphrase: 'correct horse', authorize: true });
    const good = track(sshHostFor(sshd, { privateKey: locked.privateKey, passphrase: 'correct horse' }));
    expect((await good.exec(['/bin/true'])).exitCode).toBe(0);

    for (const passphrase of ['wrong', undefined]) {
      const err = await caught(() => sshHostFor(sshd, { privateKey: locked.privateKey, passphrase }));
      expect(hasCode(err, 'CD_ERR_CONNECTOR'), String(passphrase)).toBe(true);
      expect((err as Error).message).toMatch(/privateKey cannot be used/);
      for (const line of secretLines(locked.privateKey)) expect(errorText(err)).not.toContain(line);
      expect(errorText(err)).not.toContain('correct horse');
    }
  });

  it('accepts legacy PEM private keys (RSA and EC)', async () => {
    for (const type of ['rsa', 'ecdsa'] as const) {
      const key = await sshd.newKey(`pem-${type}`, { type, pem: true, authorize: true });
      expect(key.privateKey).toMatch(/^-----BEGIN (RSA|EC) PRIVATE KEY-----/);
      const host = track(sshHostFor(sshd, { privateKey: key.privateKey }));
      expect((await host.exec(['/bin/true'])).exitCode, type).toBe(0);
    }
  });

  it('rejects a public key or garbage passed as the private key', async () => {
    expect(hasCode(await caught(() => sshHostFor(sshd, { privateKey: sshd.clientKey.publicLine })), 'CD_ERR_CONNECTOR')).toBe(true);
    expect(hasCode(await caught(() => sshHostFor(sshd, { privateKey: 'not a key' })), 'CD_ERR_CONNECTOR')).toBe(true);
  });
});

describe('transport', () => {
  it('connection refused is a retryable CD_ERR_UNREACHABLE', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const host = track(sshHostFor(sshd, { address: `127.0.0.1:${port}` }));
    const err = await caught(() => host.realpath('/'));
    expect(hasCode(err, 'CD_ERR_UNREACHABLE')).toBe(true);
    expect((err as CertDeployerError).retryable).toBe(true);
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
    expect((err as Error).message).toContain(`root@127.0.0.1:${port}`);
  });

  it('a server that never speaks SSH times out as a retryable CD_ERR_UNREACHABLE', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const host = track(sshHostFor(sshd, { address: `127.0.0.1:${(silent.address() as { port: number }).port}`, connectTimeoutMs: 300 }));
      const err = await caught(() => host.exec(['/bin/true']));
      expect(hasCode(err, 'CD_ERR_UNREACHABLE')).toBe(true);
      expect((err as CertDeployerError).retryable).toBe(true);
    } finally {
      silent.close();
    }
  });

  it('uses one connection for many operations and reconnects after it drops', async () => {
    const host = track(sshHostFor(sshd));
    const before = await acceptedLogins();
    await host.exec(['/bin/true']);
    await host.realpath('/tmp');
    await host.readFile(join(sshd.dir, 'authorized_keys'));
    await Promise.all([host.exec(['/bin/true']), host.exec(['/bin/true']), host.lstat('/')]);
    expect(await acceptedLogins()).toBe(before + 1);

    // Kill the server side of that connection (sshd's per-connection process is a child of the listener).
    const { stdout } = await host.exec(['/bin/sh', '-c', 'echo $PPID']);
    const sessionParent = Number(stdout.trim());
    process.kill(sessionParent, 'SIGKILL');
    await expect.poll(async () => hasCode(await host.exec(['/bin/true']).catch((e: unknown) => e), 'CD_ERR_UNREACHABLE'), { timeout: 10_000 }).toBe(false);
    expect((await host.exec(['/bin/echo', 'again'])).stdout).toBe('again\n');
    expect(await acceptedLogins()).toBe(before + 2);
  });

  it('close() is idempotent and later operations fail without reconnecting', async () => {
    const host = sshHostFor(sshd);
    await host.exec(['/bin/true']);
    await host.close();
    await host.close();
    const err = await caught(() => host.exec(['/bin/true']));
    expect(hasCode(err, 'CD_ERR_UNREACHABLE')).toBe(true);
    expect((err as CertDeployerError).retryable).toBe(false);
  });
});

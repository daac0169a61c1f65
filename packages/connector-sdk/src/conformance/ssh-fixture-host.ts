/**
 * The SSH side every host-based conformance fixture shares: a real sshd on loopback, an
 * SshHost with the pinned host key, a directory per target below the sshd's temp dir, the
 * host block a manifest would carry, and an unreachable host on a closed port.
 */
import { realpath } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { HostConfig } from '../host-config.ts';
import { SshHost } from '../sandbox/host/ssh-host.ts';
import { startSshd, type Sshd } from '../testing/sshd.ts';

/** A loopback port nobody listens on (bound, then released). */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface SshFixtureHost {
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** The host and a fresh target directory with the matching `host.ssh` block. */
  next(): { host: SshHost; dir: string; hostConfig: HostConfig };
  unreachableHost(): Promise<SshHost>;
}

/** `owner` names the fixture in the error thrown when a target is asked for before setup. */
export function sshFixtureHost(owner: string): SshFixtureHost {
  let sshd: Sshd | undefined;
  let host: SshHost | undefined;
  let base = '';
  let n = 0;
  const options = (s: Sshd, address: string) => ({ address, user: s.user, privateKey: s.clientKey.privateKey, hostKey: s.hostKey.publicLine, connectTimeoutMs: 10_000 });
  const started = (): { sshd: Sshd; host: SshHost } => {
    if (sshd === undefined || host === undefined) throw new Error(`${owner}: setup() has not run`);
    return { sshd, host };
  };
  return {
    async setup() {
      sshd = await startSshd();
      host = new SshHost(options(sshd, sshd.address));
      base = await realpath(sshd.dir);
    },
    async teardown() {
      await host?.close();
      await sshd?.stop();
    },
    next() {
      const s = started();
      const hostConfig = { ssh: { address: s.sshd.address, user: s.sshd.user, credentialsRef: { name: 'conformance-ssh' }, hostKey: s.sshd.hostKey.publicLine } };
      return { host: s.host, dir: join(base, `t${++n}`), hostConfig };
    },
    async unreachableHost() {
      return new SshHost({ ...options(started().sshd, `127.0.0.1:${await closedPort()}`), connectTimeoutMs: 5_000 });
    },
  };
}

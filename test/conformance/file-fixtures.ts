/**
 * Fixtures for file-plus-reload connectors: targets in a local temp dir (LocalHost, agent
 * mode) or behind a real OpenSSH server (SshHost with a pinned host key, the sshd test
 * harness). The same cases run unchanged on both, which is the point of the Host seam.
 */
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalHost } from '../../src/sandbox/host/local-host.ts';
import { SshHost } from '../../src/sandbox/host/ssh-host.ts';
import { startSshd, type Sshd } from '../support/sshd/sshd.ts';
import { createFileTarget, type FileTargetContext } from './file-target.ts';
import type { ConformanceFixture, OptOuts, TestId } from './types.ts';

export interface FileFixtureOptions {
  readonly skip?: OptOuts;
  readonly knownFailures?: Partial<Record<TestId, string>>;
}

/** Targets in a fresh local temp dir, on LocalHost. A local host cannot be unreachable. */
export function localFileFixture(opts: FileFixtureOptions = {}): ConformanceFixture<FileTargetContext> {
  const host = new LocalHost();
  let base = '';
  let n = 0;
  return {
    name: 'local host, temp dir',
    skip: { 'errorClassification.unreachable': 'the local host is always reachable', ...opts.skip },
    ...(opts.knownFailures === undefined ? {} : { knownFailures: opts.knownFailures }),
    async setup() {
      base = await realpath(await mkdtemp(join(tmpdir(), 'cd-conformance-')));
    },
    async teardown() {
      if (base !== '') await rm(base, { recursive: true, force: true });
    },
    newTarget: () => createFileTarget(join(base, `t${++n}`), host, { local: {} }),
  };
}

/** A loopback port nobody listens on (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Targets behind a real sshd on loopback, reached with SshHost and a pinned host key. */
export function sshFileFixture(opts: FileFixtureOptions = {}): ConformanceFixture<FileTargetContext> {
  let sshd: Sshd | undefined;
  let host: SshHost | undefined;
  let base = '';
  let n = 0;
  const started = (): { sshd: Sshd; host: SshHost } => {
    if (sshd === undefined || host === undefined) throw new Error('sshFileFixture: setup() has not run');
    return { sshd, host };
  };
  const sshOptions = (s: Sshd, address: string) => ({
    address,
    user: s.user,
    privateKey: s.clientKey.privateKey,
    hostKey: s.hostKey.publicLine,
    connectTimeoutMs: 10_000,
  });
  return {
    name: 'ssh host, real sshd',
    ...(opts.skip === undefined ? {} : { skip: opts.skip }),
    ...(opts.knownFailures === undefined ? {} : { knownFailures: opts.knownFailures }),
    async setup() {
      sshd = await startSshd();
      host = new SshHost(sshOptions(sshd, sshd.address));
      base = await realpath(sshd.dir);
    },
    async teardown() {
      await host?.close();
      await sshd?.stop();
    },
    newTarget() {
      const s = started();
      const hostConfig = { ssh: { address: s.sshd.address, user: s.sshd.user, credentialsRef: { name: 'conformance-ssh' }, hostKey: s.sshd.hostKey.publicLine } };
      return createFileTarget(join(base, `t${++n}`), s.host, hostConfig);
    },
    async unreachableHost() {
      const s = started();
      return new SshHost({ ...sshOptions(s.sshd, `127.0.0.1:${await closedPort()}`), connectTimeoutMs: 5_000 });
    },
  };
}

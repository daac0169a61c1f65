/**
 * Fixtures for file-plus-reload connectors: targets in a local temp dir (LocalHost, agent
 * mode) or behind a real OpenSSH server (SshHost with a pinned host key, the sshd test
 * harness). The same cases run unchanged on both, which is the point of the Host seam.
 */
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalHost } from '../sandbox/host/local-host.ts';
import { createFileTarget, type FileTargetContext } from './file-target.ts';
import { sshFixtureHost } from './ssh-fixture-host.ts';
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

/** Targets behind a real sshd on loopback, reached with SshHost and a pinned host key. */
export function sshFileFixture(opts: FileFixtureOptions = {}): ConformanceFixture<FileTargetContext> {
  const ssh = sshFixtureHost('sshFileFixture');
  return {
    name: 'ssh host, real sshd',
    ...(opts.skip === undefined ? {} : { skip: opts.skip }),
    ...(opts.knownFailures === undefined ? {} : { knownFailures: opts.knownFailures }),
    setup: () => ssh.setup(),
    teardown: () => ssh.teardown(),
    newTarget() {
      const t = ssh.next();
      return createFileTarget(t.dir, t.host, t.hostConfig);
    },
    unreachableHost: () => ssh.unreachableHost(),
  };
}

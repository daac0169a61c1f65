/**
 * The `haproxy` connector's hot update against a REAL HAProxy 2.6, on the local host and over a
 * real sshd (file over SFTP, admin socket over OpenSSH unix-socket forwarding):
 * deploy → a handshake shows the new certificate; a rotation under client traffic drops no
 * connection and keeps the worker (no reload); an update HAProxy rejects leaves the previous
 * certificate served and the file restored, and says why without the key; a replay makes zero
 * writes and zero runtime commands beyond one `show ssl cert`.
 */
import { generateKeyPairSync } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HostConfig } from '../../../../packages/connector-sdk/src/host-config.ts';
import { isDenied } from '../../../../packages/connector-sdk/src/sandbox/errors.ts';
import { LocalHost } from '../../../../packages/connector-sdk/src/sandbox/host/local-host.ts';
import type { Host } from '../../../../packages/connector-sdk/src/sandbox/host/host.ts';
import { mintCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { keyMaterialLeaks } from '../../../support/certs/index.ts';
import { startTraffic } from '../../../support/servers/haproxy-traffic.ts';
import { sshHostFor, errorText } from '../../../support/sshd/ssh-host-for.ts';
import { startSshd, type Sshd } from '../../../../packages/connector-sdk/src/testing/sshd.ts';
import { deployOnce, fileText, mustDeploy, newTarget, runtimeConnector, servedLeaf, TamperingSandbox, type Target } from './helpers.ts';

// Real servers on a shared 2-core machine: generous bounds, no timing assertions.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

interface HostEnv {
  host: Host;
  hostConfig: HostConfig;
  parentDir?: string;
}

let sshd: Sshd | undefined;
const envs: Record<'local' | 'ssh', HostEnv | undefined> = { local: undefined, ssh: undefined };

beforeAll(async () => {
  envs.local = { host: new LocalHost(), hostConfig: { local: {} } };
  sshd = await startSshd();
  envs.ssh = {
    host: sshHostFor(sshd),
    hostConfig: { ssh: { address: sshd.address, user: sshd.user, credentialsRef: { name: 'unused' }, hostKey: sshd.hostKey.publicLine } },
    parentDir: sshd.dir,
  };
});

afterAll(async () => {
  await envs.ssh?.host.close();
  await sshd?.stop();
});

async function withTarget(env: HostEnv, fn: (t: Target) => Promise<void>): Promise<void> {
  const t = await newTarget(env.parentDir);
  try {
    await fn(t);
  } finally {
    await t.dispose();
  }
}

const PRIVATE_KEY = /-----BEGIN PRIVATE KEY-----[\s\S]*?-----END PRIVATE KEY-----\n?/;

describe.each(['local', 'ssh'] as const)('haproxy runtime API (%s host)', (which) => {
  const env = (): HostEnv => {
    const e = envs[which];
    if (e === undefined) throw new Error('setup did not run');
    return e;
  };

  it('deploy: the handshake shows the new certificate, the file is 0600, no reload happened', async () => {
    const cred = await mintCredential({ name: 'Deploy' });
    await withTarget(env(), async (t) => {
      const worker = await t.server.workerPid();
      const r = await mustDeploy(runtimeConnector(t, env().hostConfig), env().host, cred.deployment);
      expect(r.changed).toBe(true);
      expect(r.message).toMatch(/runtime API/);
      expect(await servedLeaf(t.server)).toBe(cred.deployment.fingerprint);
      expect((await t.server.served()).fingerprints).toEqual(cred.chainFingerprints);
      expect(await fileText(t.server)).toContain(cred.deployment.certificatePem.trim());
      expect((await stat(t.server.certificatePath)).mode & 0o777).toBe(0o600);
      expect(await t.server.workerPid()).toBe(worker);
      expect([...t.proxy.counts.keys()].sort()).toEqual(['commit ssl cert', 'set ssl cert', 'show ssl cert']);
    });
  });

  it('rotation under traffic: zero failed requests, the new certificate served, same worker, open connections kept', async () => {
    const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
    await withTarget(env(), async (t) => {
      const connector = runtimeConnector(t, env().hostConfig);
      await mustDeploy(connector, env().host, a.deployment);
      const master = t.server.masterPid;
      const worker = await t.server.workerPid();
      // A keep-alive connection opened on A must still answer after the rotation.
      const keepAlive = connect({ host: '127.0.0.1', port: t.server.port, servername: 'keep.example.test', rejectUnauthorized: false });
      const answers: string[] = [];
      keepAlive.setEncoding('utf8');
      keepAlive.on('data', (d: string) => answers.push(d));
      await new Promise<void>((resolve, reject) => keepAlive.once('secureConnect', resolve).once('error', reject));
      const ask = async (n: number): Promise<void> => {
        keepAlive.write('GET / HTTP/1.1\r\nHost: keep.example.test\r\n\r\n');
        await vi.waitFor(() => expect(answers.join('').split('HTTP/1.1 200').length - 1).toBe(n), { timeout: 10_000 });
      };
      await ask(1);

      let rotated = false;
      const traffic = startTraffic({
        port: t.server.port,
        concurrency: 2,
        // A cap only against a runaway loop: on a loaded machine the deploy over SSH can outlast
        // a few hundred requests, and traffic must still be flowing when the rotation lands.
        maxRequests: 20_000,
        stopWhen: (s) => rotated && s.served.slice(-10).filter((fp) => fp === b.deployment.fingerprint).length === 10,
      });
      await vi.waitFor(() => expect(traffic.stats.served.length).toBeGreaterThanOrEqual(10), { timeout: 30_000 });
      const r = await mustDeploy(connector, env().host, b.deployment);
      rotated = true;
      const stats = await traffic.done;

      expect(r.changed).toBe(true);
      expect(stats.failures).toEqual([]);
      expect(stats.served[0]).toBe(a.deployment.fingerprint);
      expect(stats.served.at(-1)).toBe(b.deployment.fingerprint);
      expect(stats.requests).toBeLessThan(20_000); // stopped because B was served, not by the cap
      expect(t.server.masterPid).toBe(master);
      expect(await t.server.workerPid()).toBe(worker);
      await ask(2);
      keepAlive.destroy();
    });
  });

  it('HAProxy rejects the update (key swapped at the sandbox level): previous certificate served, file restored, why in the error, no key', async () => {
    const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
    const foreignKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    await withTarget(env(), async (t) => {
      const connector = runtimeConnector(t, env().hostConfig);
      await mustDeploy(connector, env().host, a.deployment);
      const before = await fileText(t.server);
      const swapKey = (_address: string, data: string): string => (data.startsWith('set ssl cert ') ? data.replace(PRIVATE_KEY, foreignKey) : data);
      const o = await deployOnce(connector, env().host, b.deployment, { wrap: (inner) => new TamperingSandbox(inner, swapKey) });
      expect(o.ok).toBe(false);
      if (o.ok) return;
      const err = o.error as { retryable?: boolean; message: string };
      expect(err.retryable).toBe(false);
      expect(isDenied(o.error)).toBe(false);
      expect(err.message).toMatch(/inconsistencies between private key and certificate/);
      expect(err.message).toMatch(/previous file restored/);
      expect(keyMaterialLeaks([errorText(o.error)], [b.keyPem, a.keyPem, foreignKey])).toEqual([]);
      expect(await servedLeaf(t.server)).toBe(a.deployment.fingerprint);
      expect(await fileText(t.server)).toBe(before);
      expect(await t.server.command(`abort ssl cert ${t.server.certificatePath}`)).toMatch(/No ongoing transaction/);
      // Untampered, the same deploy goes through: the failure left nothing that fakes a no-op.
      expect((await mustDeploy(connector, env().host, b.deployment)).changed).toBe(true);
      expect(await servedLeaf(t.server)).toBe(b.deployment.fingerprint);
    });
  });

  it('replay: changed false, zero writes, zero commands, one show ssl cert on the socket', async () => {
    const cred = await mintCredential({ name: 'Replay' });
    await withTarget(env(), async (t) => {
      await mustDeploy(runtimeConnector(t, env().hostConfig), env().host, cred.deployment);
      t.proxy.reset();
      const r = await mustDeploy(runtimeConnector(t, env().hostConfig), env().host, cred.deployment);
      expect(r.changed).toBe(false);
      const c = r.sandbox.calls;
      expect({ writeFile: c.writeFile.attempted, restoreFile: c.restoreFile.attempted, exec: c.exec.attempted, send: c.send.attempted }).toEqual({
        writeFile: 0,
        restoreFile: 0,
        exec: 0,
        send: 1,
      });
      expect(Object.fromEntries(t.proxy.counts)).toEqual({ 'show ssl cert': 1 });
      expect(t.proxy.mutations()).toBe(0);
    });
  });
});

/**
 * The `haproxy` connector's reload mode against a real HAProxy 2.6 master-worker on the local
 * host: the real `haproxy -c` gates a real reload (SIGUSR2 to the master, sent by `kill` as an
 * exact argv); a configuration that fails the test leaves the file restored, the worker
 * untouched and HAProxy's own complaint in the error.
 */
import { appendFile } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { haproxyConnector } from '../../../../src/connectors/haproxy/index.ts';
import { LocalHost } from '../../../../packages/connector-sdk/src/sandbox/host/local-host.ts';
import { mintCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { deployOnce, fileText, mustDeploy, newTarget, servedLeaf, type Target } from './helpers.ts';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const host = new LocalHost();
let target: Target | undefined;

afterEach(async () => {
  await target?.dispose();
  target = undefined;
});

function reloadConnector(t: Target) {
  return haproxyConnector.create(
    haproxyConnector.configSchema.parse({
      certificatePath: t.server.certificatePath,
      reload: { configTest: ['/usr/sbin/haproxy', '-c', '-f', t.server.configPath], reload: ['/bin/kill', '-USR2', String(t.server.masterPid)] },
    }),
  );
}

describe('haproxy reload mode (local host)', () => {
  it('deploy: haproxy -c passes, the master reloads, a new worker serves the new certificate', async () => {
    const cred = await mintCredential({ name: 'Reload' });
    target = await newTarget();
    const t = target;
    const worker = await t.server.workerPid();
    const r = await mustDeploy(reloadConnector(t), host, cred.deployment);
    expect(r.changed).toBe(true);
    expect(r.message).toMatch(/reload/);
    expect(r.sandbox.calls.exec.completed).toBe(2);
    expect(r.sandbox.calls.send.attempted).toBe(0);
    // The master-worker reload is asynchronous: poll until a new worker serves it.
    await vi.waitFor(async () => expect(await servedLeaf(t.server)).toBe(cred.deployment.fingerprint), { timeout: 30_000, interval: 100 });
    expect(await t.server.workerPid()).not.toBe(worker);
  });

  it('a configuration that fails haproxy -c: file restored, no reload, HAProxy\'s message in a terminal error', async () => {
    const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
    target = await newTarget();
    const t = target;
    const connector = reloadConnector(t);
    await mustDeploy(connector, host, a.deployment);
    await vi.waitFor(async () => expect(await servedLeaf(t.server)).toBe(a.deployment.fingerprint), { timeout: 30_000, interval: 100 });
    const before = await fileText(t.server);
    const worker = await t.server.workerPid();
    await appendFile(t.server.configPath, 'frontend broken\n  no-such-keyword here\n');
    const o = await deployOnce(connector, host, b.deployment);
    expect(o.ok).toBe(false);
    if (o.ok) return;
    expect(o.error).toMatchObject({ retryable: false });
    const message = (o.error as Error).message;
    expect(message).toMatch(/haproxy -c -f .* exited 1/);
    expect(message).toMatch(/no-such-keyword/);
    expect(message).toMatch(/previous file restored; HAProxy was not reloaded/);
    expect(o.sandbox.calls.exec.attempted).toBe(1);
    expect(await fileText(t.server)).toBe(before);
    expect(await t.server.workerPid()).toBe(worker);
    expect(await servedLeaf(t.server)).toBe(a.deployment.fingerprint);
  });
});

/**
 * The pool's promises about which worker serves which call: a worker bound to one namespace
 * never serves another's call (so a connector that leaves state behind reaches at most its own
 * tenant), a failed call retires its worker, and a worker is replaced after maxCallsPerWorker.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EMPTY_GRANT, parseTlsSecret, type Connector, type Deployment } from '@cert-deployer/connector-sdk';
import { createSandbox, LocalHost } from '@cert-deployer/connector-sdk/sandbox';
import { WorkerConnectorRuntime } from '../../../src/connector-worker/index.ts';
import { SDK_HOOK } from '../../conformance/worker-mode.ts';
import { mintChain } from '../../support/certs/index.ts';

const HOSTILE_DIR = join(import.meta.dirname, '..', '..', 'support', 'hostile-connectors');
const runtime = new WorkerConnectorRuntime({
  registryModule: pathToFileURL(join(HOSTILE_DIR, 'registry.ts')).href, extraReadRoots: [HOSTILE_DIR], preload: [SDK_HOOK],
  spares: 1, maxWorkers: 3, maxCallsPerWorker: 3,
});
runtime.start();
afterAll(() => runtime.close());

const none = { name: 'x', capabilities: () => EMPTY_GRANT, deploy: () => Promise.reject(new Error('never in-process')) } satisfies Connector;
let deployment: Deployment | undefined;

async function call(namespace: string, connectorName = 'whoami'): Promise<string> {
  if (deployment === undefined) {
    const c = await mintChain({ keyAlgorithm: 'ecdsa-p256', intermediates: 0, name: 'Pool', dnsNames: ['pool.example.test'] });
    deployment = parseTlsSecret({ 'tls.crt': c.leafPem, 'tls.key': c.keyPem }, { now: new Date() });
  }
  const sandbox = createSandbox({ grant: EMPTY_GRANT, host: new LocalHost() });
  try {
    const r = await runtime.deploy({ affinity: namespace, connectorName, config: {}, connector: none, sandbox, context: { ownerId: 'o' }, signal: AbortSignal.timeout(30_000) }, deployment);
    return r.message ?? '';
  } catch (err) {
    return `error ${(err as { code?: string }).code}`;
  } finally {
    await sandbox.close();
  }
}

describe('worker pool affinity and retirement', () => {
  it('binds a worker to one namespace; another namespace gets another worker', async () => {
    const a1 = await call('tenant-a');
    const b1 = await call('tenant-b');
    const a2 = await call('tenant-a');
    expect(a1).toMatch(/^pid \d+$/);
    expect(a2).toBe(a1);
    expect(b1).not.toBe(a1);
    expect(await call('tenant-b')).toBe(b1);
  }, 60_000);

  it('replaces a worker after maxCallsPerWorker calls', async () => {
    const first = await call('tenant-c');
    expect(await call('tenant-c')).toBe(first);
    expect(await call('tenant-c')).toBe(first);
    expect(await call('tenant-c')).not.toBe(first);
  }, 60_000);

  it('retires a worker after a failed call', async () => {
    const before = await call('tenant-d');
    expect(await call('tenant-d', 'crash')).toBe('error CD_ERR_WORKER_CRASHED');
    const after = await call('tenant-d');
    expect(after).toMatch(/^pid \d+$/);
    expect(after).not.toBe(before);
  }, 60_000);

  it('a worker that cannot start fails the call with the reason, again and again, never hangs the pool', async () => {
    const broken = new WorkerConnectorRuntime({ registryModule: pathToFileURL(join(HOSTILE_DIR, 'no-such-registry.ts')).href, extraReadRoots: [HOSTILE_DIR], preload: [SDK_HOOK], spares: 1, maxWorkers: 1 });
    broken.start();
    try {
      const sandbox = createSandbox({ grant: EMPTY_GRANT, host: new LocalHost() });
      for (let i = 0; i < 2; i++) {
        const err = await broken.deploy({ affinity: 'a', connectorName: 'whoami', config: {}, connector: none, sandbox, context: { ownerId: 'o' }, signal: AbortSignal.timeout(30_000) }, deployment!).catch((e: unknown) => e);
        expect(err).toMatchObject({ code: 'CD_ERR_WORKER_CRASHED', retryable: true });
        expect((err as Error).message).toMatch(/failed to start \(exit code 1\).*no-such-registry/);
      }
      await sandbox.close();
    } finally {
      await broken.close();
    }
  }, 60_000);
});

/**
 * The hostile-connector suite, run against the worker runtime: connectors that declare no grant
 * and then try every way around the Sandbox that the static-import lint rule cannot see. Each
 * attack must be stopped by the runtime — Node's permission model, the empty environment, the
 * parent's deadline, memory watch and grant check — not by the connector's good behaviour;
 * must be reported with a stable code; must leave no trace (no file, no request, no
 * connection); and the operator must keep working: a legitimate deploy through the same
 * runtime succeeds right after each attack.
 */
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_GRANT, ErrorCode, parseTlsSecret, type Connector, type Deployment } from '@cert-deployer/connector-sdk';
import { createSandbox, LocalHost } from '@cert-deployer/connector-sdk/sandbox';
import { connectorsByName } from '../../support/hostile-connectors/registry.ts';
import { mintChain } from '../../support/certs/index.ts';
import { testWorkerRuntime } from '../../conformance/worker-mode.ts';
import { inProcessRuntime } from '../../../src/controller/pipeline/connector-runtime.ts';

const HOSTILE_DIR = join(import.meta.dirname, '..', '..', 'support', 'hostile-connectors');
const CANARY = 'canary-credential-4f7b2a';

// Set before the runtime starts: a worker must not inherit it.
process.env.CD_TEST_AWS_SECRET_ACCESS_KEY = CANARY;

const runtime = testWorkerRuntime({
  registryModule: pathToFileURL(join(HOSTILE_DIR, 'registry.ts')).href,
  extraReadRoots: [HOSTILE_DIR],
  maxRssMiB: 256,
  abortGraceMs: 500,
});

let dir: string;
let deployment: Deployment;
let keyPem: string;
let httpHits = 0;
let tcpConnections = 0;
const http = createHttpServer((req, res) => {
  httpHits++;
  res.end('ok');
});
const tcp = createTcpServer((s) => {
  tcpConnections++;
  s.destroy();
});
const host = new LocalHost();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cd-hostile-'));
  const chain = await mintChain({ keyAlgorithm: 'ecdsa-p256', intermediates: 1, name: 'Hostile', dnsNames: ['hostile.example.test'] });
  keyPem = chain.keyPem;
  deployment = parseTlsSecret({ 'tls.crt': chain.leafPem + chain.intermediatePems.join(''), 'tls.key': chain.keyPem }, { now: new Date() });
  await writeFile(join(dir, 'outside-secret'), `${CANARY}\n`);
  http.listen(0, '127.0.0.1');
  tcp.listen(0, '127.0.0.1');
  await Promise.all([once(http, 'listening'), once(tcp, 'listening')]);
  await runtime.warm();
}, 60_000);

afterAll(async () => {
  http.close();
  tcp.close();
  delete process.env.CD_TEST_AWS_SECRET_ACCESS_KEY;
  await rm(dir, { recursive: true, force: true });
});

const noConnector = { name: 'hostile', capabilities: () => EMPTY_GRANT, deploy: () => Promise.reject(new Error('never in-process')) } satisfies Connector;

/** Deploys with connector `name` in a worker, sandboxed with NO grant; captures the outcome. */
async function attack(name: string, config: Record<string, unknown>, timeoutMs = 20_000): Promise<{ ok: true; message: string } | { ok: false; code: string | undefined; message: string }> {
  const sandbox = createSandbox({ grant: EMPTY_GRANT, host });
  try {
    const r = await runtime.deploy({ affinity: 'tenant-a', connectorName: name, config, connector: noConnector, sandbox, context: { ownerId: 'hostile/t' }, signal: AbortSignal.timeout(timeoutMs) }, deployment);
    return { ok: true, message: r.message ?? '' };
  } catch (err) {
    return { ok: false, code: (err as { code?: string }).code, message: (err as Error).message };
  } finally {
    await sandbox.close();
  }
}

/** The operator keeps working: a legitimate `file` deploy through the same runtime, right after. */
async function legitimateDeploy(): Promise<void> {
  const config = { host: { local: {} }, certificatePath: join(dir, 'ok', 'cert.pem'), privateKeyPath: join(dir, 'ok', 'key.pem') };
  await rm(join(dir, 'ok'), { recursive: true, force: true });
  await mkdir(join(dir, 'ok'));
  const def = connectorsByName.get('file')!;
  const parsed = def.configSchema.parse(config);
  const connector = def.create(parsed);
  const sandbox = createSandbox({ grant: connector.capabilities(), host });
  try {
    const r = await runtime.deploy({ affinity: 'tenant-a', connectorName: 'file', config: parsed, connector, sandbox, context: { ownerId: 'legit/t' }, signal: AbortSignal.timeout(30_000) }, deployment);
    expect(r.changed).toBe(true);
    expect(await readFile(join(dir, 'ok', 'key.pem'), 'utf8')).toBe(keyPem);
  } finally {
    await sandbox.close();
  }
}

describe('hostile connectors in the worker runtime', () => {
  it('dynamic import("node:fs") and a write: CD_ERR_CONFINED, no file', async () => {
    const marker = join(dir, 'fs-write-marker');
    const o = await attack('fsWrite', { path: marker });
    expect(o).toMatchObject({ ok: false, code: ErrorCode.Confined });
    expect(o.message).toContain('FileSystemWrite');
    expect(existsSync(marker)).toBe(false);
    await legitimateDeploy();
  }, 60_000);

  it('changing a file\'s mode through node:fs/promises (metadata writes): CD_ERR_CONFINED, mode unchanged', async () => {
    const path = join(dir, 'outside-secret');
    const before = (await stat(path)).mode;
    const o = await attack('fsChmod', { path });
    expect(o).toMatchObject({ ok: false, code: ErrorCode.Confined });
    expect((await stat(path)).mode).toBe(before);
    await legitimateDeploy();
  }, 60_000);

  it('reading a file outside the application: CD_ERR_CONFINED, nothing read', async () => {
    const o = await attack('fsReadOutside', { path: join(dir, 'outside-secret') });
    expect(o).toMatchObject({ ok: false, code: ErrorCode.Confined });
    expect(o.message).toContain('FileSystemRead');
    expect(o.message).not.toContain(CANARY);
    await legitimateDeploy();
  }, 60_000);

  it('the global fetch: CD_ERR_CONFINED, no request arrives', async () => {
    const o = await attack('fetch', { port: (http.address() as AddressInfo).port });
    expect(o).toMatchObject({ ok: false, code: ErrorCode.Confined });
    expect(httpHits).toBe(0);
    await legitimateDeploy();
  }, 60_000);

  it('a node:net socket: CD_ERR_CONFINED, no connection arrives', async () => {
    const o = await attack('netSocket', { port: (tcp.address() as AddressInfo).port });
    expect(o).toMatchObject({ ok: false, code: ErrorCode.Confined });
    expect(tcpConnections).toBe(0);
    await legitimateDeploy();
  }, 60_000);

  it('spawning a process: CD_ERR_CONFINED, the command never runs', async () => {
    const marker = join(dir, 'spawn-marker');
    const o = await attack('spawn', { path: marker });
    expect(o).toMatchObject({ ok: false, code: ErrorCode.Confined });
    expect(o.message).toContain('ChildProcess');
    expect(existsSync(marker)).toBe(false);
    await legitimateDeploy();
  }, 60_000);

  it('starting a worker thread: CD_ERR_CONFINED', async () => {
    const o = await attack('worker', {});
    expect(o).toMatchObject({ ok: false, code: ErrorCode.Confined });
    expect(o.message).toContain('WorkerThreads');
    await legitimateDeploy();
  }, 60_000);

  it('process.env holds no credentials: the worker starts with an empty environment', async () => {
    expect(process.env.CD_TEST_AWS_SECRET_ACCESS_KEY).toBe(CANARY);
    const o = await attack('envCredentials', {});
    expect(o).toEqual({ ok: true, message: 'environment: 0 variables, credentials: []' });
    await legitimateDeploy();
  }, 60_000);

  it('an endless loop: killed after the deadline and the grace, CD_ERR_WORKER_TIMEOUT', async () => {
    const o = await attack('loop', {}, 1500);
    expect(o).toMatchObject({ ok: false, code: ErrorCode.WorkerTimeout });
    await legitimateDeploy();
  }, 60_000);

  it('allocating objects until the V8 heap limit: CD_ERR_WORKER_MEMORY', async () => {
    const o = await attack('heapBomb', {}, 60_000);
    expect(o).toMatchObject({ ok: false, code: ErrorCode.WorkerMemory });
    await legitimateDeploy();
  }, 90_000);

  it('allocating buffers outside the heap: stopped at the resident limit, CD_ERR_WORKER_MEMORY', async () => {
    const o = await attack('bufferBomb', {}, 60_000);
    expect(o).toMatchObject({ ok: false, code: ErrorCode.WorkerMemory });
    expect(o.message).toContain('resident memory');
    await legitimateDeploy();
  }, 90_000);

  it('a worker that exits mid-call: CD_ERR_WORKER_CRASHED, retryable', async () => {
    const o = await attack('crash', {});
    expect(o).toMatchObject({ ok: false, code: ErrorCode.WorkerCrashed });
    expect(o.message).toContain('exit code 7');
    await legitimateDeploy();
  }, 60_000);

  it('a forged raw IPC request around the Sandbox proxy: the parent checks the grant (CD_ERR_DENIED), no file', async () => {
    const marker = join(dir, 'forged-marker');
    const o = await attack('forgedIpc', { path: marker });
    expect(o).toMatchObject({ ok: true });
    expect(o.message).toMatch(/^refused: CD_ERR_DENIED: denied: file.write/);
    expect(existsSync(marker)).toBe(false);
    await legitimateDeploy();
  }, 60_000);

  it('a message outside the protocol: the worker is killed, CD_ERR_WORKER_PROTOCOL', async () => {
    const o = await attack('badProtocol', {});
    expect(o).toMatchObject({ ok: false, code: ErrorCode.WorkerProtocol });
    await legitimateDeploy();
  }, 60_000);

  it('the same attack in-process is NOT stopped (the suite bites: confinement comes from the worker runtime)', async () => {
    const marker = join(dir, 'in-process-marker');
    const def = connectorsByName.get('fsWrite')!;
    const config = def.configSchema.parse({ path: marker });
    const sandbox = createSandbox({ grant: EMPTY_GRANT, host });
    try {
      await inProcessRuntime.deploy({ affinity: 'tenant-a', connectorName: 'fsWrite', config, connector: def.create(config), sandbox, context: { ownerId: 'hostile/t' }, signal: AbortSignal.timeout(5000) }, deployment);
    } finally {
      await sandbox.close();
    }
    expect(existsSync(marker)).toBe(true);
  });
});

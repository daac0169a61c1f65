/**
 * Containment of the WASM tier: a plugin (examples/plugins/hostile, built here from source)
 * that tries to write outside its grant, dial an address no grant lists, or run a command gets
 * the sandbox's DeniedError (code CD_ERR_DENIED) — and nothing happens: no file, no connection,
 * no process. Extism's own HTTP function refuses (no allowedHosts), a plugin that spins forever
 * is stopped by the call's time limit, one that allocates without end by its declared memory
 * maximum. After each, the operator process goes on and a legitimate plugin deploy succeeds.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, realpath, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, ErrorCode, hasCode, isDenied, LocalHost } from '@cert-deployer/connector-sdk/sandbox';
import type { PluginArtifact, PluginLimits } from '../../../src/sandbox/wasm/index.ts';
import { mintCredential } from '../../../packages/connector-sdk/src/conformance/credentials.ts';
import { createFileTarget } from '../../../packages/connector-sdk/src/conformance/file-target.ts';
import { keyMaterialLeaks } from '@cert-deployer/connector-sdk/testing';
import { loadExamplePlugin, pemFilesFor, pluginConnectorFor } from './plugin-fixtures.ts';

const LIMITS: PluginLimits = { timeoutMs: 3_000, maxHostPages: 256, workerHeapMb: 64, abortGraceMs: 1_000 };

let hostile: PluginArtifact;
let pemFiles: PluginArtifact;
let base: string;
let listener: Server;
let connections = 0;
let port = 0;
const host = new LocalHost();

beforeAll(async () => {
  [hostile, pemFiles] = await Promise.all([loadExamplePlugin('hostile'), loadExamplePlugin('pem-files')]);
  base = await realpath(await mkdtemp(join(tmpdir(), 'cd-containment-')));
  listener = createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as { port: number }).port;
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => listener?.close(resolve));
  if (base) await rm(base, { recursive: true, force: true });
  await host.close();
});

/** Runs the hostile plugin's `attack` with a sandbox enforcing exactly its declared grant; the error, or the result. */
async function attack(kind: string, target: string, credential?: Awaited<ReturnType<typeof mintCredential>>): Promise<unknown> {
  const dir = join(base, `granted-${kind}`);
  await mkdir(dir, { recursive: true });
  const connector = pluginConnectorFor(hostile, { host: { local: {} }, config: { attack: kind, dir, target } }, LIMITS);
  const sandbox = createSandbox({ grant: connector.capabilities(), host });
  try {
    const cred = credential ?? (await mintCredential());
    return await connector.deploy(new AbortController().signal, sandbox, cred.deployment, { ownerId: 'containment' });
  } catch (err) {
    return err;
  } finally {
    await sandbox.close();
  }
}

/** A legitimate plugin deploy in the same process, after an attack. */
async function operatorStillDeploys(label: string): Promise<void> {
  const target = await createFileTarget(join(base, `ok-${label}`), host, { local: {} });
  try {
    const connector = pemFilesFor(pemFiles)(target.context);
    const sandbox = createSandbox({ grant: connector.capabilities(), host });
    const cred = await mintCredential();
    const r = await connector.deploy(new AbortController().signal, sandbox, cred.deployment, { ownerId: 'containment' }).finally(() => sandbox.close());
    expect(r.changed).toBe(true);
    expect((await target.readState()).fingerprint).toBe(cred.deployment.fingerprint);
  } finally {
    await target.dispose();
  }
}

describe('a hostile WASM plugin is contained by the host functions and the runtime', () => {
  it('a write outside its grant: DeniedError, no file', async () => {
    const outside = join(base, 'outside');
    await mkdir(outside, { recursive: true });
    const err = await attack('write', join(outside, 'owned'));
    expect(isDenied(err), String(err)).toBe(true);
    expect(hasCode(err, ErrorCode.Denied)).toBe(true);
    expect(await readdir(outside)).toEqual([]);
    await operatorStillDeploys('write');
  }, 60_000);

  it('an HTTP request to an ungranted address: DeniedError, no connection', async () => {
    const before = connections;
    const err = await attack('dial', `127.0.0.1:${port}`);
    expect(isDenied(err), String(err)).toBe(true);
    expect(connections).toBe(before);
    await operatorStillDeploys('dial');
  }, 60_000);

  it('a raw socket to an ungranted address: DeniedError, no connection', async () => {
    const before = connections;
    const err = await attack('send', `127.0.0.1:${port}`);
    expect(isDenied(err), String(err)).toBe(true);
    expect(connections).toBe(before);
  }, 60_000);

  it('a command (sh -c touch): DeniedError, the marker never exists', async () => {
    const marker = join(base, 'exec-marker');
    const err = await attack('exec', marker);
    expect(isDenied(err), String(err)).toBe(true);
    expect(existsSync(marker)).toBe(false);
    await operatorStillDeploys('exec');
  }, 60_000);

  it("Extism's own http_request: refused (no allowedHosts), no connection", async () => {
    const before = connections;
    const err = await attack('extism-http', `127.0.0.1:${port}`);
    expect(hasCode(err, ErrorCode.Plugin), String(err)).toBe(true);
    expect(String((err as Error).message)).toMatch(/not allowed|allowedHosts/);
    expect(connections).toBe(before);
  }, 60_000);

  it('an endless loop: stopped by the time limit (retryable PluginError)', async () => {
    const err = await attack('loop', 'x');
    expect(hasCode(err, ErrorCode.Plugin), String(err)).toBe(true);
    expect((err as { retryable: boolean }).retryable).toBe(true);
    expect((err as Error).message).toMatch(/ran longer than 3000 ms/);
    await operatorStillDeploys('loop');
  }, 60_000);

  it('a plugin that reports the key it was handed: its message reaches the operator redacted', async () => {
    const cred = await mintCredential({ name: 'Leak canary' });
    const r = (await attack('leak', 'x', cred)) as { changed: boolean; message?: string };
    expect(r.changed).toBe(true);
    expect(r.message).toMatch(/^here is the key: /);
    expect(keyMaterialLeaks([JSON.stringify(r)], [cred.keyPem])).toEqual([]);
  }, 60_000);

  it('allocation without end: stopped by the declared memory maximum (PluginError)', async () => {
    const err = await attack('grow', 'x');
    expect(hasCode(err, ErrorCode.Plugin), String(err)).toBe(true);
    await operatorStillDeploys('grow');
  }, 60_000);
});

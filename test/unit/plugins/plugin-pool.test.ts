/**
 * The pool starts instances ahead but never reuses one: each call gets a fresh instance, so
 * nothing of one deploy (a key, a tenant's config, any plugin state) is there for the next. The
 * hostile plugin's `count` attack reports how many calls its instance has served.
 */
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, LocalHost } from '@cert-deployer/connector-sdk/sandbox';
import { DEFAULT_PLUGIN_LIMITS, PluginPool, type PluginArtifact } from '../../../src/sandbox/wasm/index.ts';
import { mintCredential } from '../../../packages/connector-sdk/src/conformance/credentials.ts';
import { loadExamplePlugin, pluginConnectorFor } from './plugin-fixtures.ts';

let hostile: PluginArtifact;
let dir = '';
const host = new LocalHost();
const pool = new PluginPool(DEFAULT_PLUGIN_LIMITS);

beforeAll(async () => {
  hostile = await loadExamplePlugin('hostile');
  dir = await realpath(await mkdtemp(join(tmpdir(), 'cd-pool-')));
}, 120_000);

afterAll(async () => {
  await pool.close();
  await host.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function count(withPool: PluginPool | undefined): Promise<string | undefined> {
  const connector = pluginConnectorFor(hostile, { host: { local: {} }, config: { attack: 'count', dir, target: 'x' } }, undefined, withPool);
  const sandbox = createSandbox({ grant: connector.capabilities(), host });
  try {
    return (await connector.deploy(new AbortController().signal, sandbox, (await mintCredential()).deployment, { ownerId: 'pool' })).message;
  } finally {
    await sandbox.close();
  }
}

describe('PluginPool', () => {
  it('every call, pooled or not, runs on an instance that served no call before', async () => {
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await count(pool));
    seen.push(await count(undefined));
    expect(seen).toEqual(['call 1', 'call 1', 'call 1', 'call 1', 'call 1']);
  }, 60_000);

  it('after close, calls still work (instances start on demand, no spare is kept)', async () => {
    await pool.close();
    expect(await count(pool)).toBe('call 1');
  }, 60_000);
});

/**
 * inspect of the file-based connectors (file, nginx, apache, haproxy) in the read-only
 * sandbox over a real directory: the first certificate of the file the server loads, a
 * replaced file, a missing one, one with no certificate, and a haproxy combined PEM whose key
 * block is never part of the answer.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorsByName } from '../../../../src/connectors/registry.ts';
import type { Connector } from '../../../../packages/connector-sdk/src/connector.ts';
import { mintChain, type MintedChain } from '../../../support/certs/index.ts';
import { inspectReadOnly } from '../inspect-support.ts';
import { createHash, X509Certificate } from 'node:crypto';

let dir = '';
let chain: MintedChain;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cd-inspect-'));
  chain = await mintChain({ dnsNames: ['inspect.example.test'] });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const fp = (pem: string) => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
function connector(block: string, config: Record<string, unknown>): Connector {
  const def = connectorsByName.get(block)!;
  return def.create(def.configSchema.parse(config));
}
const ctx = () => ({ ownerId: 'u/t', fingerprint: fp(chain.leafPem) });

describe('inspect of file-based targets', () => {
  const cases: [string, (crt: string, key: string) => Record<string, unknown>][] = [
    ['file', (crt, key) => ({ certificatePath: crt, privateKeyPath: key })],
    ['nginx', (crt, key) => ({ host: { local: {} }, certificatePath: crt, privateKeyPath: key })],
    ['apache', (crt, key) => ({ host: { local: {} }, certificatePath: crt, privateKeyPath: key })],
  ];
  it.each(cases)('%s: the leaf of the certificate file; missing; not a certificate', async (block, cfg) => {
    const crt = join(dir, `${block}.crt`);
    const c = connector(block, cfg(crt, join(dir, `${block}.key`)));
    expect((await inspectReadOnly(c, ctx())).result.active).toBeNull();
    await writeFile(crt, chain.chainPem.slice(0, -1).join(''));
    const held = await inspectReadOnly(c, ctx());
    expect(held.result.active).toEqual({ fingerprint: fp(chain.leafPem), notAfter: new Date(new X509Certificate(chain.leafPem).validTo).toISOString().replace(/\.\d{3}Z$/, 'Z') });
    expect(held.denied).toBe(0);
    await writeFile(crt, 'someone else was here\n');
    expect((await inspectReadOnly(c, ctx())).result).toMatchObject({ active: null, message: `${crt} holds no readable certificate` });
  });

  it('haproxy: the leaf of the combined PEM; the key block is never parsed or returned', async () => {
    const pem = join(dir, 'site.pem');
    await writeFile(pem, `${chain.chainPem.slice(0, -1).join('')}${chain.keyPem}`);
    const c = connector('haproxy', { host: { local: {} }, certificatePath: pem, reload: { configTest: ['/usr/sbin/haproxy', '-c', '-f', '/etc/haproxy/haproxy.cfg'], reload: ['/bin/systemctl', 'reload', 'haproxy'] } });
    const r = await inspectReadOnly(c, ctx());
    expect(r.result.active?.fingerprint).toBe(fp(chain.leafPem));
    expect(JSON.stringify(r.result)).not.toMatch(/PRIVATE KEY|BEGIN/);
  });
});

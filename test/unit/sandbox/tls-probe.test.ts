import { X509Certificate } from 'node:crypto';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { createSecureContext, createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, isDenied, LocalHost, type Grant } from '../../../packages/connector-sdk/src/sandbox/index.ts';
import { makeCa, makeIntermediate, makeLeaf, type TestCert } from './support/certs.ts';
import { close, countConnections, listen } from './support/servers.ts';

const host = new LocalHost();
let server: Server;
let port: number;
let connections: () => number;
let root: TestCert;
let inter: TestCert;
let a: TestCert;
let b: TestCert;
let fallback: TestCert;

beforeAll(async () => {
  root = makeCa('probe root');
  inter = makeIntermediate(root, 'probe intermediate');
  a = makeLeaf(inter, ['a.test']);
  b = makeLeaf(inter, ['b.test']);
  fallback = makeLeaf(root, ['default.test']);
  const contexts = new Map([
    ['a.test', createSecureContext({ cert: a.certPem + inter.certPem, key: a.keyPem })],
    ['b.test', createSecureContext({ cert: b.certPem + inter.certPem, key: b.keyPem })],
  ]);
  server = createServer(
    { cert: fallback.certPem, key: fallback.keyPem, SNICallback: (name, cb) => cb(null, contexts.get(name)) },
    (socket) => socket.end(),
  );
  connections = countConnections(server);
  port = await listen(server);
});
afterAll(() => close(server));

const grant = (): Grant => ({ read: [], write: [], exec: [], dial: [`127.0.0.1:${port}`] });

describe('Sandbox.tlsProbe', () => {
  it('returns the served chain for each SNI name, leaf first, without the unsent root', async () => {
    const sb = createSandbox({ grant: grant(), host });
    const ra = await sb.tlsProbe({ address: `127.0.0.1:${port}`, serverName: 'a.test' });
    const rb = await sb.tlsProbe({ address: `127.0.0.1:${port}`, serverName: 'b.test' });
    expect(ra.fingerprints).toEqual([a.fingerprint, inter.fingerprint]);
    // The served leaf's expiry, as the certificate itself states it (for served-expiry metrics).
    expect(ra.leafNotAfter).toBe(new X509Certificate(a.certPem).validToDate.toISOString().replace(/\.\d{3}Z$/, 'Z'));
    expect(rb.fingerprints).toEqual([b.fingerprint, inter.fingerprint]);
    expect(ra.protocol).toMatch(/^TLSv1\.[23]$/);
    // A fresh handshake every time: asking for a again after b gives a again.
    expect((await sb.tlsProbe({ address: `127.0.0.1:${port}`, serverName: 'a.test' })).fingerprints[0]).toBe(a.fingerprint);
  });

  it('sends no SNI for an IP address without a serverName (the default certificate)', async () => {
    const sb = createSandbox({ grant: grant(), host });
    const r = await sb.tlsProbe({ address: `127.0.0.1:${port}` });
    expect(r.fingerprints[0]).toBe(fallback.fingerprint);
    expect(r.fingerprints).not.toContain(a.fingerprint);
  });

  it('denies addresses outside the dial grant without connecting', async () => {
    const sb = createSandbox({ grant: { ...grant(), dial: [`127.0.0.1:${port + 1}`] }, host });
    const before = connections();
    const err = await sb.tlsProbe({ address: `127.0.0.1:${port}`, serverName: 'a.test' }).catch((e: unknown) => e);
    expect(isDenied(err)).toBe(true);
    expect(isDenied(await sb.tlsProbe({ address: `unix:/run/x.sock` }).catch((e: unknown) => e))).toBe(true);
    expect(connections()).toBe(before);
  });

  it('refuses an IP address as serverName and reports an unreachable port as retryable', async () => {
    const sb = createSandbox({ grant: { ...grant(), dial: [`127.0.0.1:${port}`, '127.0.0.1:1'] }, host });
    await expect(sb.tlsProbe({ address: `127.0.0.1:${port}`, serverName: '10.0.0.1' })).rejects.toMatchObject({ code: 'CD_ERR_CONNECTOR' });
    await expect(sb.tlsProbe({ address: '127.0.0.1:1' })).rejects.toMatchObject({ code: 'CD_ERR_UNREACHABLE', retryable: true });
  });

  it('times out with a retryable error when the peer never completes the handshake', async () => {
    const held: Socket[] = [];
    const mute = createTcpServer((s) => held.push(s));
    const mutePort = await listen(mute);
    try {
      const sb = createSandbox({ grant: { ...grant(), dial: [`127.0.0.1:${mutePort}`] }, host });
      await expect(sb.tlsProbe({ address: `127.0.0.1:${mutePort}`, timeoutMs: 100 })).rejects.toMatchObject({ code: 'CD_ERR_TIMEOUT', retryable: true });
    } finally {
      held.forEach((s) => s.destroy());
      await close(mute as unknown as Server);
    }
  });

  it('aborts when the caller aborts', async () => {
    const sb = createSandbox({ grant: grant(), host });
    const ac = new AbortController();
    ac.abort(new Error('stop probing'));
    await expect(sb.tlsProbe({ address: `127.0.0.1:${port}`, signal: ac.signal })).rejects.toThrow('stop probing');
  });
});

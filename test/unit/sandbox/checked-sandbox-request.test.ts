import { createServer as createHttp, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { request as undiciRequest, upgrade as undiciUpgrade } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGrantedDispatcher, createSandbox, isDenied, LocalHost } from '../../../packages/connector-sdk/src/sandbox/index.ts';
import { makeCa, makeLeaf, type TestCert } from './support/certs.ts';
import { close, countConnections, listen } from './support/servers.ts';

const host = new LocalHost();
let http: HttpServer;
let other: HttpServer;
let https: HttpServer;
let httpPort: number;
let otherPort: number;
let httpsPort: number;
let otherConnections: () => number;
let ca: TestCert;

async function body(req: IncomingMessage): Promise<string> {
  let s = '';
  for await (const c of req) s += String(c);
  return s;
}

beforeAll(async () => {
  http = createHttp(async (req, res) => {
    if (req.url === '/hang') return; // never answers
    const text = await body(req);
    res.setHeader('x-seen-method', req.method ?? '');
    res.end(JSON.stringify({ path: req.url, body: text }));
  });
  httpPort = await listen(http);
  other = createHttp((_req, res) => res.end('other'));
  otherConnections = countConnections(other);
  otherPort = await listen(other);
  ca = makeCa('sandbox test CA');
  const leaf = makeLeaf(ca, ['localhost']);
  https = createHttps({ cert: leaf.certPem, key: leaf.keyPem }, (_req, res) => res.end('secure'));
  httpsPort = await listen(https);
});
afterAll(async () => {
  await Promise.all([close(http), close(other), close(https)]);
});

async function denied(p: Promise<unknown>): Promise<unknown> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isDenied(err), `expected DeniedError, got ${String(err)}`).toBe(true);
  return err;
}

describe('Sandbox.request', () => {
  it('performs granted requests with method, headers and body', async () => {
    const sb = createSandbox({ grant: { read: [], write: [], exec: [], dial: [`127.0.0.1:${httpPort}`] }, host });
    try {
      const res = await sb.request({ url: `http://127.0.0.1:${httpPort}/api?x=1`, method: 'post', body: 'payload', headers: { 'content-type': 'text/plain' } });
      expect(res.status).toBe(200);
      expect(res.headers['x-seen-method']).toBe('POST');
      expect(JSON.parse(Buffer.from(res.body).toString())).toEqual({ path: '/api?x=1', body: 'payload' });
    } finally {
      await sb.close();
    }
  });

  it('denies another port, a host name for a granted IP, userinfo and non-http schemes, without connecting', async () => {
    const sb = createSandbox({ grant: { read: [], write: [], exec: [], dial: [`127.0.0.1:${httpPort}`] }, host });
    try {
      const before = otherConnections();
      const err = await denied(sb.request({ url: `http://127.0.0.1:${otherPort}/` }));
      expect(err).toMatchObject({ capability: 'net.dial', subject: `127.0.0.1:${otherPort}` });
      await denied(sb.request({ url: `http://localhost:${httpPort}/` }));
      await denied(sb.request({ url: `http://user:pw@127.0.0.1:${httpPort}/` }));
      await denied(sb.request({ url: `ftp://127.0.0.1:${httpPort}/` }));
      await denied(sb.request({ url: 'https://vault.internal.attacker.example/' }));
      expect(otherConnections()).toBe(before);
    } finally {
      await sb.close();
    }
  });

  it('trusts an extra CA for HTTPS and still verifies without it', async () => {
    const sb = createSandbox({ grant: { read: [], write: [], exec: [], dial: [`localhost:${httpsPort}`] }, host });
    try {
      const ok = await sb.request({ url: `https://localhost:${httpsPort}/`, ca: ca.certPem });
      expect(Buffer.from(ok.body).toString()).toBe('secure');
      // Untrusted is terminal: retrying cannot fix a missing CA bundle.
      await expect(sb.request({ url: `https://localhost:${httpsPort}/` })).rejects.toMatchObject({ code: 'CD_ERR_UNREACHABLE', retryable: false, message: expect.stringMatching(/TLS verification/) });
    } finally {
      await sb.close();
    }
  });

  it('times out with a retryable timeout error', async () => {
    const sb = createSandbox({ grant: { read: [], write: [], exec: [], dial: [`127.0.0.1:${httpPort}`] }, host });
    try {
      await expect(sb.request({ url: `http://127.0.0.1:${httpPort}/hang`, timeoutMs: 100 })).rejects.toMatchObject({ code: 'CD_ERR_TIMEOUT', retryable: true });
    } finally {
      await sb.close();
    }
  });
});

describe('createGrantedDispatcher', () => {
  it('routes ordinary undici calls and fails denied origins with DeniedError', async () => {
    const dispatcher = createGrantedDispatcher({ dial: [`127.0.0.1:${httpPort}`] });
    try {
      const ok = await undiciRequest(`http://127.0.0.1:${httpPort}/x`, { dispatcher });
      expect(ok.statusCode).toBe(200);
      await ok.body.text();
      const before = otherConnections();
      await denied(undiciRequest(`http://127.0.0.1:${otherPort}/`, { dispatcher }));
      const fetchErr = await fetch(`http://127.0.0.1:${otherPort}/`, { dispatcher } as RequestInit).catch((e: unknown) => e);
      expect(isDenied((fetchErr as { cause?: unknown }).cause)).toBe(true);
      expect(otherConnections()).toBe(before);
    } finally {
      await dispatcher.close();
    }
  });

  it('refuses CONNECT tunnels and upgrades even to a granted origin', async () => {
    const dispatcher = createGrantedDispatcher({ dial: [`127.0.0.1:${httpPort}`] });
    try {
      await denied(dispatcher.connect({ origin: `http://127.0.0.1:${httpPort}`, path: 'evil.example:443' }));
      await denied(undiciUpgrade(`http://127.0.0.1:${httpPort}/`, { dispatcher, protocol: 'websocket' }));
    } finally {
      await dispatcher.close();
    }
  });
});

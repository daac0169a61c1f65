/**
 * The smithy HttpHandler adapter: the pure conversions, and a round trip through a real checked
 * sandbox to a loopback HTTP server that records exactly what arrived (method, path and query,
 * signed headers, body bytes) and what came back.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { HttpRequest } from '@smithy/protocol-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyBytes, queryString, requestHeaders, requestUrl, sandboxHttpHandler } from '../../../../src/connectors/aws-acm/sandbox-http-handler.ts';
import { isDenied } from '../../../../packages/connector-sdk/src/sandbox/errors.ts';
import { withSandbox } from './support.ts';

/** Like the SDK's JSON request bodies: a Uint8Array whose valueOf() is a string. */
class StringyBytes extends Uint8Array {
  override valueOf(): never {
    return 'not the bytes' as never;
  }
}

describe('conversions', () => {
  it('builds the query string with RFC 3986 encoding, sorted keys, repeated and bare keys', () => {
    expect(queryString({ b: 'x y', a: ["it's", '*'], c: null })).toBe('a=it%27s&a=%2A&b=x%20y&c');
    expect(queryString({})).toBe('');
  });

  it('builds the URL from protocol, host, port, path and query', () => {
    expect(requestUrl({ protocol: 'https:', hostname: 'acm.us-east-1.amazonaws.com', path: '/', query: {} })).toBe('https://acm.us-east-1.amazonaws.com/');
    expect(requestUrl({ protocol: 'http', hostname: '[::1]', port: 4566, path: 'x/y', query: { q: '1' } })).toBe('http://[::1]:4566/x/y?q=1');
  });

  it('reads every body form into plain bytes', async () => {
    const hello = [104, 105];
    expect([...((await bodyBytes('hi')) ?? [])]).toEqual(hello);
    const stringy = await bodyBytes(new StringyBytes(hello));
    expect(stringy?.constructor).toBe(Uint8Array);
    expect([...(stringy ?? [])]).toEqual(hello);
    expect([...((await bodyBytes(new Uint16Array([0x6968]))) ?? [])]).toEqual(hello);
    expect([...((await bodyBytes(new Uint8Array(hello).buffer)) ?? [])]).toEqual(hello);
    expect([...((await bodyBytes(new Blob(['hi']))) ?? [])]).toEqual(hello);
    async function* chunks() {
      yield 'h';
      yield new Uint8Array([105]);
    }
    expect([...((await bodyBytes(chunks())) ?? [])]).toEqual(hello);
    expect(await bodyBytes(undefined)).toBeUndefined();
    await expect(bodyBytes(42)).rejects.toThrow(/unsupported request body/);
  });

  it('drops hop-by-hop headers and keeps the signed ones', () => {
    expect(requestHeaders({ host: 'h', Connection: 'keep-alive', 'transfer-encoding': 'chunked', expect: '100-continue', 'x-amz-date': 'd', authorization: 'a' })).toEqual({ host: 'h', 'x-amz-date': 'd', authorization: 'a' });
  });
});

describe('through a checked sandbox', () => {
  let server: Server;
  let port = 0;
  const seen: { method?: string; url?: string; headers?: IncomingHttpHeaders; body?: Buffer }[] = [];
  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(418, { 'X-Answer': 'Yes', 'content-type': 'application/octet-stream' });
      res.end(Buffer.from([0, 1, 2, 255]));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const request = () =>
    new HttpRequest({
      protocol: 'http:', hostname: '127.0.0.1', port, method: 'POST', path: '/api', query: { a: 'b c' },
      headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'CertificateManager.ListCertificates', connection: 'close' },
      body: new StringyBytes([123, 125]),
    });

  it('sends exactly the request and hands back status, headers and body bytes', async () => {
    const grant = { read: [], write: [], exec: [], dial: [`127.0.0.1:${port}`] };
    const { response } = await withSandbox(grant, (sb) => sandboxHttpHandler(sb, { timeoutMs: 5_000 }).handle(request(), {}));
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/api?a=b%20c', headers: { 'x-amz-target': 'CertificateManager.ListCertificates', host: `127.0.0.1:${port}` } });
    expect([...(seen.at(-1)?.body ?? [])]).toEqual([123, 125]);
    expect(response.statusCode).toBe(418);
    expect(response.headers['x-answer']).toBe('Yes');
    expect([...(response.body as Uint8Array)]).toEqual([0, 1, 2, 255]);
  });

  it('an address outside the grant is denied before anything is sent', async () => {
    const before = seen.length;
    const err = await withSandbox({ read: [], write: [], exec: [], dial: [] }, (sb) => sandboxHttpHandler(sb, { timeoutMs: 5_000 }).handle(request(), {})).catch((e: unknown) => e);
    expect(isDenied(err)).toBe(true);
    expect(seen.length).toBe(before);
  });

  it('an aborted signal (DOM or legacy smithy form) sends nothing', async () => {
    const before = seen.length;
    const grant = { read: [], write: [], exec: [], dial: [`127.0.0.1:${port}`] };
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(withSandbox(grant, (sb) => sandboxHttpHandler(sb, { timeoutMs: 5_000 }).handle(request(), { abortSignal: ac.signal }))).rejects.toThrow('stop');
    const legacy = { aborted: true, onabort: null };
    await expect(withSandbox(grant, (sb) => sandboxHttpHandler(sb, { timeoutMs: 5_000 }).handle(request(), { abortSignal: legacy }))).rejects.toThrow();
    expect(seen.length).toBe(before);
  });
});

/**
 * The Azure HttpClient over Sandbox.request, against a real loopback HTTP server: what the
 * server receives (method, headers, body), what the pipeline gets back, that aborts and the
 * dial grant apply, and that the transport remembers the failure of its latest request.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxTransport } from '../../../../src/connectors/azure-key-vault/sandbox-http-client.ts';
import { createSandbox } from '../../../../packages/connector-sdk/src/sandbox/checked-sandbox.ts';
import { isDenied } from '../../../../packages/connector-sdk/src/sandbox/errors.ts';
import { LocalHost } from '../../../../packages/connector-sdk/src/sandbox/host/local-host.ts';

let server: Server;
let origin = '';
const seen: { method: string; headers: IncomingMessage['headers']; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (req.url === '/hang') return;
      res.writeHead(req.url === '/teapot' ? 418 : 200, { 'content-type': 'application/json', 'x-ms-request-id': 'r-1' });
      res.end(JSON.stringify({ ok: true, path: req.url }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function transport(signal = new AbortController().signal, dial = [new URL(origin).host]) {
  const sandbox = createSandbox({ grant: { read: [], write: [], dial, exec: [] }, host: new LocalHost() });
  return { sandbox, t: createSandboxTransport(sandbox, { signal }) };
}

describe('createSandboxTransport', () => {
  it('sends method, headers and a string or binary body, and returns status, headers and text', async () => {
    const { sandbox, t } = transport();
    try {
      const post = createPipelineRequest({ url: `${origin}/certificates/web/import?api-version=7.6`, method: 'POST', headers: createHttpHeaders({ 'Content-Type': 'application/json', Authorization: 'Bearer t' }), body: '{"value":"x"}' });
      const res = await t.client.sendRequest(post);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-ms-request-id')).toBe('r-1');
      expect(JSON.parse(res.bodyAsText ?? '')).toEqual({ ok: true, path: '/certificates/web/import?api-version=7.6' });
      expect(seen.at(-1)).toMatchObject({ method: 'POST', body: '{"value":"x"}', headers: { 'content-type': 'application/json', authorization: 'Bearer t' } });
      const bin = await t.client.sendRequest(createPipelineRequest({ url: `${origin}/teapot`, method: 'PUT', body: new TextEncoder().encode('bytes') }));
      expect(bin.status).toBe(418);
      expect(seen.at(-1)?.body).toBe('bytes');
      expect(t.lastFailure()).toBeUndefined();
    } finally {
      await sandbox.close();
    }
  });

  it('refuses a streamed body with a terminal error instead of sending something else', async () => {
    const { sandbox, t } = transport();
    try {
      const req = createPipelineRequest({ url: `${origin}/x`, method: 'POST', body: () => new ReadableStream() });
      await expect(t.client.sendRequest(req)).rejects.toMatchObject({ code: 'CD_ERR_CONNECTOR', retryable: false });
    } finally {
      await sandbox.close();
    }
  });

  it('an address outside the grant is the sandbox DeniedError, remembered as the last failure until a request succeeds', async () => {
    const { sandbox, t } = transport(undefined, [new URL(origin).host]);
    try {
      const err = await t.client.sendRequest(createPipelineRequest({ url: 'http://127.0.0.1:1/token', method: 'POST', body: 'a=b' })).catch((e: unknown) => e);
      expect(isDenied(err)).toBe(true);
      expect(t.lastFailure()).toBe(err);
      await t.client.sendRequest(createPipelineRequest({ url: `${origin}/ok` }));
      expect(t.lastFailure()).toBeUndefined();
    } finally {
      await sandbox.close();
    }
  });

  it('the deploy signal and the request signal both abort a request in flight', async () => {
    for (const which of ['deploy', 'request'] as const) {
      const deployAc = new AbortController();
      const requestAc = new AbortController();
      const { sandbox, t } = transport(deployAc.signal);
      try {
        const pending = t.client.sendRequest(createPipelineRequest({ url: `${origin}/hang`, abortSignal: requestAc.signal }));
        setTimeout(() => (which === 'deploy' ? deployAc : requestAc).abort(new Error(`${which} cancelled`)), 100);
        await expect(pending).rejects.toBeDefined();
        expect(t.lastFailure()).toBeDefined();
      } finally {
        await sandbox.close();
      }
    }
  });
});

/**
 * A smithy `HttpHandler` that sends every AWS SDK request through `Sandbox.request`, so the
 * SDK is held to the connector's dial grant like any other connector I/O: a request to an
 * address outside the grant fails with the sandbox's `DeniedError` before a socket opens.
 *
 * The SDK hands over a signed `HttpRequest`; this converts it to the sandbox's plain-data form
 * (URL, method, headers, body bytes) and the answer back into an `HttpResponse` whose body is
 * the bytes themselves (smithy's body collector accepts a `Uint8Array` as is, so no stream is
 * needed). Errors from the sandbox (denied, unreachable, timeout, abort) are thrown unchanged:
 * they already carry a stable code and the right `retryable`.
 */
import { HttpResponse, type HttpHandler, type HttpRequest } from '@smithy/protocol-http';
import type { HttpHandlerOptions } from '@smithy/types';
import type { Sandbox } from '@cert-deployer/connector-sdk';

/** Hop-by-hop headers the sandbox's HTTP client manages itself (and refuses when given). */
const DROPPED_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'expect']);

/** Percent-encoding of RFC 3986 (what SigV4 signs): `encodeURIComponent` plus `!'()*`. */
function encode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The query string of a smithy request, keys sorted as the SDK's own handlers build it. */
export function queryString(query: HttpRequest['query']): string {
  const parts: string[] = [];
  for (const key of Object.keys(query ?? {}).sort()) {
    const value = query?.[key];
    if (value === null || value === undefined) parts.push(encode(key));
    else for (const v of Array.isArray(value) ? value : [value]) parts.push(`${encode(key)}=${encode(v)}`);
  }
  return parts.join('&');
}

/** The absolute URL of a smithy request. IPv6 host names arrive bracketed, as in a URL. */
export function requestUrl(req: Pick<HttpRequest, 'protocol' | 'hostname' | 'port' | 'path' | 'query'>): string {
  const protocol = req.protocol.endsWith(':') ? req.protocol : `${req.protocol}:`;
  const port = req.port === undefined ? '' : `:${req.port}`;
  const path = req.path.startsWith('/') ? req.path : `/${req.path}`;
  const qs = queryString(req.query);
  return `${protocol}//${req.hostname}${port}${path}${qs === '' ? '' : `?${qs}`}`;
}

/** The request body as bytes. Streams are read to the end (ACM bodies are small JSON documents). */
export async function bodyBytes(body: unknown): Promise<Uint8Array | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return new TextEncoder().encode(body);
  // A plain copy of the bytes: the SDK's JSON bodies are a Uint8Array subclass whose valueOf()
  // returns a string, which Buffer.from (inside the sandbox) would take instead of the bytes.
  if (ArrayBuffer.isView(body)) return new Uint8Array(ArrayBuffer.prototype.slice.call(body.buffer, body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (body instanceof Blob) return new Uint8Array(await body.arrayBuffer());
  if (typeof body === 'object' && Symbol.asyncIterator in body) {
    const chunks: Uint8Array[] = [];
    for await (const chunk of body as AsyncIterable<unknown>) {
      if (typeof chunk === 'string') chunks.push(new TextEncoder().encode(chunk));
      else if (chunk instanceof Uint8Array) chunks.push(Uint8Array.from(chunk));
      else throw new TypeError(`unsupported request body chunk ${Object.prototype.toString.call(chunk)}`);
    }
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  }
  throw new TypeError(`unsupported request body type ${Object.prototype.toString.call(body)}`);
}

/** The headers to send: hop-by-hop ones dropped, everything the SDK signed kept. */
export function requestHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (!DROPPED_HEADERS.has(name.toLowerCase())) out[name] = value;
  return out;
}

/** The SDK may hand over a legacy smithy AbortSignal; the sandbox wants a DOM one. */
function toAbortSignal(signal: HttpHandlerOptions['abortSignal']): AbortSignal | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return signal;
  const ac = new AbortController();
  if (signal.aborted) ac.abort();
  else signal.onabort = () => ac.abort();
  return ac.signal;
}

export interface SandboxHttpHandlerOptions {
  /** Per-request timeout when the SDK sets none. */
  readonly timeoutMs: number;
}

/** Creates an `HttpHandler` for an SDK client that performs every request with `sandbox.request`. */
export function sandboxHttpHandler(sandbox: Sandbox, opts: SandboxHttpHandlerOptions): HttpHandler {
  return {
    metadata: { handlerProtocol: 'http/1.1' },
    async handle(request: HttpRequest, options: HttpHandlerOptions = {}): Promise<{ response: HttpResponse }> {
      const signal = toAbortSignal(options.abortSignal);
      signal?.throwIfAborted();
      const body = await bodyBytes(request.body);
      const res = await sandbox.request({
        url: requestUrl(request),
        method: request.method,
        headers: requestHeaders(request.headers),
        ...(body === undefined ? {} : { body }),
        timeoutMs: options.requestTimeout ?? opts.timeoutMs,
        ...(signal === undefined ? {} : { signal }),
      });
      return { response: new HttpResponse({ statusCode: res.status, headers: { ...res.headers }, body: res.body }) };
    },
    updateHttpClientConfig() {
      // Nothing to configure: the sandbox owns connections, TLS and the grant.
    },
    httpHandlerConfigs() {
      return {};
    },
  };
}

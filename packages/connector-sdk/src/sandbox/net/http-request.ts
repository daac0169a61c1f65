/**
 * `Sandbox.request`: one HTTP(S) exchange through a granted dispatcher, with a deadline and a
 * cap on the response body. Messages name the origin only: paths and queries can carry
 * tokens (pre-signed URLs, SAS), and bodies can carry key material.
 */
import type { Dispatcher } from 'undici';
import type { Clock } from '../../core/clock.ts';
import { CertDeployerError, DeniedError, ErrorCode, isDenied } from '../errors.ts';
import type { HttpRequest, HttpResponse } from '../sandbox.ts';
import { Deadline, timeoutOr } from './deadline.ts';

/** A request that sets no timeout gets this one. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Management APIs answer in kilobytes; anything near this is a misdirected request. */
export const MAX_RESPONSE_BODY_BYTES = 16 * 1024 * 1024;

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CertDeployerError(ErrorCode.Connector, 'request URL is not a valid absolute URL');
  }
  if (url.username !== '' || url.password !== '') throw new DeniedError('net.dial', url.origin, 'userinfo in the URL is not allowed');
  return url;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

async function readCapped(body: AsyncIterable<Buffer> & { destroy(err?: Error): unknown }, origin: string): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_RESPONSE_BODY_BYTES) {
      body.destroy();
      throw new CertDeployerError(ErrorCode.Connector, `response from ${origin} exceeds ${MAX_RESPONSE_BODY_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  const all = Buffer.concat(chunks);
  return new Uint8Array(all.buffer, all.byteOffset, all.byteLength);
}

/**
 * TLS verification failures: the peer is reachable but not trusted. Retrying cannot help
 * until someone fixes the CA bundle or the server certificate, so they are terminal.
 */
const TLS_TRUST_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED', 'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH',
]);

/** Maps transport failures to typed errors (trust failures terminal, the rest retryable); our own errors pass through. */
function classify(err: unknown, deadline: Deadline, origin: string, caller?: AbortSignal): unknown {
  if (isDenied(err) || err instanceof CertDeployerError) return err;
  if (deadline.timedOut) return deadline.reason();
  if (caller?.aborted === true) return caller.reason;
  const codeOf = (e: unknown) => (e as { code?: unknown } | undefined)?.code;
  const code = codeOf(err) ?? codeOf((err as { cause?: unknown } | undefined)?.cause);
  const detail = typeof code === 'string' ? code : err instanceof Error ? err.name : 'error';
  if (typeof code === 'string' && TLS_TRUST_CODES.has(code)) {
    return new CertDeployerError(ErrorCode.Unreachable, `request to ${origin} failed TLS verification: ${detail} (check the configured CA bundle)`, { retryable: false, cause: err });
  }
  return new CertDeployerError(ErrorCode.Unreachable, `request to ${origin} failed: ${detail}`, { retryable: true, cause: err });
}

/** Performs `req` through `dispatcher` (which enforces the dial grant). */
export async function performRequest(dispatcher: Dispatcher, req: HttpRequest, clock: Clock): Promise<HttpResponse> {
  const url = parseUrl(req.url);
  const origin = url.origin;
  const ms = timeoutOr(req.timeoutMs, DEFAULT_REQUEST_TIMEOUT_MS);
  const deadline = new Deadline(clock, ms, `request to ${origin}`, req.signal);
  try {
    const res = await dispatcher.request({
      origin,
      path: `${url.pathname}${url.search}`,
      method: (req.method ?? 'GET').toUpperCase() as Dispatcher.HttpMethod,
      headers: req.headers === undefined ? {} : { ...req.headers },
      body: req.body === undefined ? null : typeof req.body === 'string' ? req.body : Buffer.from(req.body),
      signal: deadline.signal,
    });
    const body = await readCapped(res.body, origin);
    return { status: res.statusCode, headers: flattenHeaders(res.headers), body };
  } catch (err) {
    throw classify(err, deadline, origin, req.signal);
  } finally {
    deadline.dispose();
  }
}

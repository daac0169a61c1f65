/**
 * An Azure `HttpClient` (the transport at the end of every core-rest-pipeline) that sends
 * each request through `Sandbox.request`. Passed as `httpClient` to both the CertificateClient
 * and the Entra credential, it makes ALL Azure SDK traffic obey the connector's dial grant:
 * the SDK never opens a socket itself, never reads proxy variables, and never turns TLS
 * verification off (an explicit `ca` only adds trust).
 *
 * Sandbox errors (DeniedError, unreachable, timeout, abort) are thrown unchanged: the
 * pipeline's retry policy rethrows anything that is not a RestError as it is, so the
 * connector can let them through with their stable codes.
 */
import { Buffer } from 'node:buffer';
import { Readable } from 'node:stream';
import type { HttpClient, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { type Sandbox, terminal } from '@cert-deployer/connector-sdk';

export interface SandboxHttpClientOptions {
  /** Extra trusted PEM CA certificates for every request (never disables verification). */
  readonly ca?: string | undefined;
  /** The deploy's signal: aborting it aborts every request in flight. */
  readonly signal: AbortSignal;
}

/** The request body as the sandbox takes it, or null when it has none. */
function bodyOf(request: PipelineRequest): string | Uint8Array | null {
  const body = request.body;
  if (body === undefined || body === null) {
    if (request.formData !== undefined || request.multipartBody !== undefined) {
      throw terminal(`azureKeyVault: the SDK sent a form or multipart body to ${new URL(request.url).origin}, which this transport does not encode`);
    }
    return null;
  }
  if (typeof body === 'string') return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  throw terminal(`azureKeyVault: the SDK sent a streamed body to ${new URL(request.url).origin}, which this transport does not send`);
}

/** The deploy signal combined with the request's own (SDK operation or credential) signal. */
function signalOf(request: PipelineRequest, deploy: AbortSignal): AbortSignal {
  const own = request.abortSignal;
  if (own === undefined) return deploy;
  if (own instanceof AbortSignal) return AbortSignal.any([deploy, own]);
  const bridge = new AbortController();
  if (own.aborted) bridge.abort();
  else own.addEventListener('abort', () => bridge.abort(), { once: true });
  return AbortSignal.any([deploy, bridge.signal]);
}

/** Headers as a plain record; the pipeline's HttpHeaders lower-cases names already. */
function headersOf(request: PipelineRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of request.headers) out[name] = value;
  return out;
}

/** The transport of one deploy: the HttpClient, and the failure of its latest request. */
export interface SandboxTransport {
  readonly client: HttpClient;
  /**
   * What the most recent request threw (a sandbox error, an abort), or undefined when it
   * succeeded. MSAL replaces transport errors with its own `network_error`; this keeps the
   * original, so a DeniedError on the authority is reported as a DeniedError.
   */
  lastFailure(): unknown;
}

/** Builds the transport for one deploy. */
export function createSandboxTransport(sandbox: Sandbox, opts: SandboxHttpClientOptions): SandboxTransport {
  let failure: unknown;
  const client: HttpClient = {
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      let res;
      try {
        const body = bodyOf(request);
        res = await sandbox.request({
          url: request.url,
          method: request.method,
          headers: headersOf(request),
          ...(body === null ? {} : { body }),
          ...(request.timeout > 0 ? { timeoutMs: request.timeout } : {}),
          ...(opts.ca === undefined ? {} : { ca: opts.ca }),
          signal: signalOf(request, opts.signal),
        });
      } catch (err) {
        failure = err;
        throw err;
      }
      failure = undefined;
      // Loaded with the first response, not at start-up (issue 13, lean runtime).
      const { createHttpHeaders } = await import('@azure/core-rest-pipeline');
      const headers = createHttpHeaders(res.headers);
      const bytes = Buffer.from(res.body.buffer, res.body.byteOffset, res.body.byteLength);
      if (request.streamResponseStatusCodes?.has(res.status) === true) {
        return { request, status: res.status, headers, readableStreamBody: Readable.from([bytes]) };
      }
      return { request, status: res.status, headers, bodyAsText: bytes.toString('utf8') };
    },
  };
  return { client, lastFailure: () => failure };
}

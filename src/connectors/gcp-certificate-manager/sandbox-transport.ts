/**
 * Routes every HTTP exchange of the real client library through `Sandbox.request`.
 *
 * google-gax's REST transport ("fallback") sends each call as `auth.fetch(url, init)` on the
 * auth client it was given, and accepts any object with `getRequestHeaders` as that client.
 * This class is that object: it adds the bearer token, converts the fetch-style request into
 * the sandbox's plain-data form (so the dial grant, deadlines and the caller's signal apply)
 * and hands a standard `Response` back. Nothing in the library opens a socket of its own, and
 * no google-auth-library credential lookup (ADC, metadata probing) ever runs.
 */
import type { HttpResponse, Sandbox } from '@cert-deployer/connector-sdk';
import type { TokenSource } from './access-token.ts';

/** How long one API request may take before it fails as a (retryable) timeout. */
export const API_REQUEST_TIMEOUT_MS = 30_000;

/** Statuses whose Response must have no body (the fetch spec). */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

type HeadersInit = ConstructorParameters<typeof Headers>[0];

/** The part of a fetch `RequestInit` that gax fills in. */
export interface GaxFetchInit {
  readonly method?: string;
  readonly headers?: HeadersInit;
  readonly body?: string | Uint8Array;
  readonly signal?: AbortSignal;
}

/** Plain lowercase header record from whatever HeadersInit gax passed. */
export function plainHeaders(init: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(init).forEach((value, name) => {
    out[name.toLowerCase()] = value;
  });
  return out;
}

/** A fetch `Response` carrying what the sandbox returned. */
export function toFetchResponse(res: HttpResponse): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) headers.set(name, value);
  const body = NULL_BODY_STATUSES.has(res.status) ? null : Buffer.from(res.body);
  return new Response(body, { status: res.status, headers });
}

/** The auth client handed to the library: a token source plus the sandbox as transport. */
export class SandboxTransport {
  readonly #sandbox: Sandbox;
  readonly #tokens: TokenSource;
  readonly #signal: AbortSignal;
  #lastStatus: number | undefined;
  #lastFailure: unknown;

  constructor(sandbox: Sandbox, tokens: TokenSource, signal: AbortSignal) {
    this.#sandbox = sandbox;
    this.#tokens = tokens;
    this.#signal = signal;
  }

  /** gax checks for this method to accept the object as an auth client. */
  async getRequestHeaders(): Promise<Headers> {
    return new Headers({ authorization: `Bearer ${await this.#tokens.token(this.#signal)}` });
  }

  /** One call of the library, through the sandbox. */
  async fetch(url: string | URL, init: GaxFetchInit = {}): Promise<Response> {
    this.#lastStatus = undefined;
    this.#lastFailure = undefined;
    const signal = init.signal === undefined ? this.#signal : AbortSignal.any([this.#signal, init.signal]);
    const method = (init.method ?? 'GET').toUpperCase();
    try {
      const token = await this.#tokens.token(signal);
      const res = await this.#sandbox.request({
        url: String(url),
        method,
        headers: { ...plainHeaders(init.headers), authorization: `Bearer ${token}` },
        ...(init.body === undefined ? {} : { body: init.body }),
        timeoutMs: API_REQUEST_TIMEOUT_MS,
        signal,
      });
      this.#lastStatus = res.status;
      return toFetchResponse(res);
    } catch (err) {
      this.#lastFailure = err;
      throw err;
    }
  }

  /** The HTTP status of the last exchange, when it got one. */
  get lastStatus(): number | undefined {
    return this.#lastStatus;
  }

  /** What the last exchange threw (a sandbox or token error), so it can be rethrown unwrapped. */
  get lastFailure(): unknown {
    return this.#lastFailure;
  }
}

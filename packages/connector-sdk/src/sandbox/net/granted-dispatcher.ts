/**
 * An undici Dispatcher that dials only granted `host:port` endpoints. Every request, including
 * each redirect hop of an interceptor composed on top, passes through `dispatch`, where the
 * origin is checked against the dial grant before any socket opens. Cloud SDKs that accept an
 * undici dispatcher (or an HTTP handler built on one) are routed through this factory, so they
 * are held to the same grant as `Sandbox.request`.
 *
 * Tunnels are refused: a CONNECT or an upgrade to a granted proxy would reach anything.
 */
import { rootCertificates } from 'node:tls';
import { Agent, type Dispatcher } from 'undici';
import { DeniedError } from '../errors.ts';
import type { Grant } from '../grant.ts';
import { canonicalDialAddress, isDialAllowed } from '../check/host-check.ts';

/** Default ports of the schemes a dispatcher speaks. */
const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

export interface GrantedDispatcherOptions {
  /** Extra PEM CA bundle trusted in addition to the system roots (never instead of verification). */
  readonly ca?: string;
  /** Connect timeout in ms (undici's default is 10 s). */
  readonly connectTimeoutMs?: number;
}

/** The checked endpoint of a dispatch, or why it cannot be dialled. */
export type OriginCheck = { readonly ok: true; readonly address: string } | { readonly ok: false; readonly subject: string; readonly why: string };

/**
 * The canonical `host:port` of an origin (default ports 443/80), or why there is none. Only
 * http and https are dialable; userinfo in an origin is refused.
 */
export function originAddress(origin: unknown): OriginCheck {
  let url: URL;
  try {
    url = origin instanceof URL ? origin : new URL(String(origin));
  } catch {
    return { ok: false, subject: String(origin), why: 'origin is not a URL' };
  }
  const subject = `${url.protocol}//${url.host}`;
  const defaultPort = DEFAULT_PORTS[url.protocol];
  if (defaultPort === undefined) return { ok: false, subject, why: `scheme ${url.protocol} is not dialable` };
  if (url.username !== '' || url.password !== '') return { ok: false, subject, why: 'userinfo in the origin is not allowed' };
  const port = url.port === '' ? defaultPort : Number(url.port);
  const address = canonicalDialAddress(`${url.hostname}:${port}`);
  if (address === null) return { ok: false, subject, why: 'origin host is not a dialable host' };
  return { ok: true, address };
}

/** Decides one dispatch: `null` when allowed, else the DeniedError to fail it with. */
export function checkDispatch(dial: readonly string[], opts: Dispatcher.DispatchOptions): DeniedError | null {
  const origin = originAddress(opts.origin);
  if (!origin.ok) return new DeniedError('net.dial', origin.subject, origin.why);
  if (String(opts.method).toUpperCase() === 'CONNECT') return new DeniedError('net.dial', origin.address, 'CONNECT tunnels are not granted');
  if (opts.upgrade !== undefined && opts.upgrade !== null && opts.upgrade !== false) {
    return new DeniedError('net.dial', origin.address, 'protocol upgrades are not granted');
  }
  if (!isDialAllowed(dial, origin.address)) return new DeniedError('net.dial', origin.address, 'not in the dial grant');
  return null;
}

/** Fails a handler the way undici does for a synchronous dispatch error (new or legacy API). */
function failHandler(handler: Dispatcher.DispatchHandler, err: Error): boolean {
  if (typeof handler.onResponseError === 'function') {
    handler.onResponseError(null as unknown as Dispatcher.DispatchController, err);
    return true;
  }
  const legacy = handler as { onError?: (e: Error) => void };
  if (typeof legacy.onError === 'function') {
    legacy.onError(err);
    return true;
  }
  throw err;
}

/**
 * An undici interceptor enforcing the dial grant; composable onto any dispatcher. Exposed for
 * callers that already own a dispatcher (for example a proxy-aware one they must keep).
 */
export function dialGrantInterceptor(dial: readonly string[]): Dispatcher.DispatcherComposeInterceptor {
  const granted = [...dial];
  return (dispatch) => (opts, handler) => {
    const denied = checkDispatch(granted, opts);
    return denied === null ? dispatch(opts, handler) : failHandler(handler, denied);
  };
}

/**
 * A fresh undici Agent (no proxy from the environment, TLS verification on, optional extra CA)
 * with the dial grant enforced on every dispatch. Close it when done with it.
 */
export function createGrantedDispatcher(grant: Pick<Grant, 'dial'>, opts: GrantedDispatcherOptions = {}): Dispatcher {
  const connect: Agent.Options['connect'] = { rejectUnauthorized: true };
  if (opts.ca !== undefined) Object.assign(connect, { ca: [...rootCertificates, opts.ca] });
  if (opts.connectTimeoutMs !== undefined) Object.assign(connect, { timeout: opts.connectTimeoutMs });
  return new Agent({ connect }).compose(dialGrantInterceptor(grant.dial));
}

/**
 * A small iControl REST client over `Sandbox.request`: the only way the connector talks to a
 * BIG-IP. Why it authenticates the way it does:
 * - Reads use HTTP Basic, so an idempotent replay is pure GETs: zero mutating requests, not
 *   even a login.
 * - The first mutating request logs in for a token (`POST /mgmt/shared/authn/login`,
 *   `X-F5-Auth-Token`), which every later request uses; a token is also the only way remote
 *   (LDAP/RADIUS) users authenticate, so a read refused with 401 switches to the token too.
 * - A 401 on a token request (the token expired, default lifetime 1200 s) logs in once more.
 * - `logout()` deletes the token (`DELETE /mgmt/shared/authz/tokens/<token>`), even after a
 *   cancel, so no session outlives the deploy.
 * Sandbox errors (denied, unreachable, timeout, abort) pass through unchanged: they are
 * already classified.
 */
import { type Clock, type HttpResponse, realClock, type Sandbox, terminal, type SecretValue, withTimeout } from '@cert-deployer/connector-sdk';
import { httpError, jsonOf } from './http-errors.ts';

export interface IControlOptions {
  readonly sandbox: Sandbox;
  /** `host:port` of the management interface. */
  readonly address: string;
  readonly ca?: string | undefined;
  readonly username: string;
  readonly password: SecretValue;
  /** The controller's clock (`clockOf(ctx)`); clean-up deadlines run on it. Defaults to the real one. */
  readonly clock?: Clock;
}

export interface CallOptions {
  readonly signal: AbortSignal;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

/** A response with its JSON body parsed (undefined when empty or not JSON). */
export interface IControlResponse extends HttpResponse {
  readonly json: unknown;
}

const LOGIN_PATH = '/mgmt/shared/authn/login';
const TOKENS_PATH = '/mgmt/shared/authz/tokens';
/** Ordinary calls; install and commit pass longer ones. */
const DEFAULT_TIMEOUT_MS = 30_000;
const LOGOUT_TIMEOUT_MS = 10_000;

export class IControlClient {
  readonly #o: IControlOptions;
  readonly #origin: string;
  #token: string | undefined;
  /** Basic was refused once: use tokens for reads too. */
  #tokenOnly = false;

  constructor(options: IControlOptions) {
    this.#o = options;
    this.#origin = `https://${options.address}`;
  }

  /**
   * Runs `fn` on its own deadline of `ms` on the injected clock, not under the deploy's signal:
   * clean-up after a failure or a cancel (delete, discard, save, logout) must still finish.
   */
  onOwnDeadline<T>(ms: number, what: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return withTimeout(this.#o.clock ?? realClock, ms, undefined, fn, what);
  }

  /** Whether a token session exists (then `logout()` has something to delete). */
  get loggedIn(): boolean {
    return this.#token !== undefined;
  }

  /** A GET; uses Basic unless a token exists or Basic was refused. */
  async get(path: string, opts: CallOptions): Promise<IControlResponse> {
    if (this.#token === undefined && !this.#tokenOnly) {
      const res = await this.#raw('GET', path, undefined, { ...opts, headers: { ...opts.headers, authorization: this.#basic() } });
      if (res.status !== 401) return res;
      this.#tokenOnly = true;
    }
    return this.call('GET', path, undefined, opts);
  }

  /** Any request with the token (logging in first when needed). */
  async call(method: string, path: string, body: Uint8Array | string | object | undefined, opts: CallOptions): Promise<IControlResponse> {
    const fresh = this.#token === undefined;
    if (fresh) await this.#login(opts.signal);
    const first = await this.#withToken(method, path, body, opts);
    if (first.status !== 401 || fresh) return first;
    await this.#login(opts.signal); // the token expired mid-deploy: once more, then give up
    return this.#withToken(method, path, body, opts);
  }

  /** Deletes the token session. Never throws; runs without the deploy's signal (after a cancel too). */
  async logout(): Promise<void> {
    const token = this.#token;
    if (token === undefined) return;
    this.#token = undefined;
    await this.onOwnDeadline(LOGOUT_TIMEOUT_MS, 'log out', (signal) =>
      this.#raw('DELETE', `${TOKENS_PATH}/${encodeURIComponent(token)}`, undefined, { signal, headers: { 'x-f5-auth-token': token } }),
    ).catch(() => undefined);
  }

  async #login(signal: AbortSignal): Promise<void> {
    const body = { username: this.#o.username, password: this.#o.password.reveal(), loginProviderName: 'tmos' };
    const res = await this.#raw('POST', LOGIN_PATH, body, { signal });
    if (res.status !== 200) throw httpError(`log in as ${JSON.stringify(this.#o.username)}`, res);
    const token = (res.json as { token?: { token?: unknown } } | undefined)?.token?.token;
    if (typeof token !== 'string' || token === '') throw terminal('log in: BIG-IP answered without a token (.token.token)');
    this.#token = token;
  }

  #withToken(method: string, path: string, body: Uint8Array | string | object | undefined, opts: CallOptions): Promise<IControlResponse> {
    return this.#raw(method, path, body, { ...opts, headers: { ...opts.headers, 'x-f5-auth-token': this.#token ?? '' } });
  }

  #basic(): string {
    return `Basic ${Buffer.from(`${this.#o.username}:${this.#o.password.reveal()}`).toString('base64')}`;
  }

  async #raw(method: string, path: string, body: Uint8Array | string | object | undefined, opts: CallOptions): Promise<IControlResponse> {
    const isJson = body !== undefined && !(body instanceof Uint8Array) && typeof body !== 'string';
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (isJson) headers['content-type'] = 'application/json';
    const res = await this.#o.sandbox.request({
      url: `${this.#origin}${path}`,
      method,
      headers,
      ...(body === undefined ? {} : { body: isJson ? JSON.stringify(body) : (body as Uint8Array | string) }),
      ...(this.#o.ca === undefined ? {} : { ca: this.#o.ca }),
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      signal: opts.signal,
    });
    return { ...res, json: jsonOf(res) };
  }
}

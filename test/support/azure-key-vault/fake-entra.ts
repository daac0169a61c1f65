/**
 * A local HTTPS fake of the Microsoft Entra endpoints MSAL uses for app-only tokens when
 * instance discovery is disabled: the tenant's OpenID configuration and the v2.0 token
 * endpoint, for client credentials with a client secret or with a federated (workload
 * identity) assertion. It checks what the real endpoint checks for these flows (client id,
 * secret or assertion, a `/.default` scope) and answers in the documented shapes, including
 * the OAuth error body for a wrong secret. Tokens it issues are opaque random strings that
 * the fake vault accepts.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface EntraApp {
  readonly tenantId: string;
  readonly clientId: string;
  /** Client secret (service principal) … */
  readonly clientSecret?: string;
  /** … or the federated token a workload identity presents as its assertion. */
  readonly federatedToken?: string;
}

/** One token request as received (no secret values: whether they matched). */
export interface TokenRequest {
  readonly tenant: string;
  readonly grantType: string | null;
  readonly clientId: string | null;
  readonly scope: string | null;
  readonly usedSecret: boolean;
  readonly usedAssertion: boolean;
  readonly status: number;
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export class FakeEntra {
  readonly apps: EntraApp[] = [];
  readonly issued = new Set<string>();
  readonly tokenRequests: TokenRequest[] = [];
  readonly log: { method: string; path: string }[] = [];
  /** Fails the next N token requests with this status (e.g. 503, 429). */
  failTokens: { status: number; times: number } | null = null;
  readonly #server: Server;
  #url = '';

  private constructor(tls: { certPem: string; keyPem: string }) {
    this.#server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => void this.#handle(req, res));
  }

  static async start(tls: { certPem: string; keyPem: string }): Promise<FakeEntra> {
    const entra = new FakeEntra(tls);
    await new Promise<void>((resolve) => entra.#server.listen(0, '127.0.0.1', resolve));
    entra.#url = `https://127.0.0.1:${(entra.#server.address() as AddressInfo).port}`;
    return entra;
  }

  /** `https://127.0.0.1:<port>`: the `authorityHost` to configure. */
  get url(): string {
    return this.#url;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #json(res: ServerResponse, status: number, body: unknown): number {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
    return status;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', this.#url);
    this.log.push({ method: req.method ?? 'GET', path: url.pathname });
    const [tenant, ...rest] = url.pathname.split('/').filter((p) => p !== '');
    const route = rest.join('/');
    if (tenant === undefined) return void this.#json(res, 404, { error: 'not_found' });
    if (req.method === 'GET' && route === 'v2.0/.well-known/openid-configuration') {
      const base = `${this.#url}/${tenant}`;
      return void this.#json(res, 200, {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        issuer: `${this.#url}/${tenant}/v2.0`,
        jwks_uri: `${this.#url}/${tenant}/discovery/v2.0/keys`,
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      });
    }
    if (req.method === 'POST' && route === 'oauth2/v2.0/token') return void this.#token(res, tenant, new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    this.#json(res, 404, { error: 'not_found', error_description: `${req.method} ${url.pathname} is not part of this fake` });
  }

  #token(res: ServerResponse, tenant: string, form: URLSearchParams): void {
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    const record = (status: number): void =>
      void this.tokenRequests.push({ tenant, grantType: form.get('grant_type'), clientId: form.get('client_id'), scope: form.get('scope'), usedSecret: secret !== null, usedAssertion: assertion !== null, status });
    const fail = (status: number, error: string, description: string): void => void record(this.#json(res, status, { error, error_description: description, error_codes: [status === 401 ? 7000215 : 90002], timestamp: new Date().toISOString() }));
    if (this.failTokens !== null && this.failTokens.times > 0) {
      this.failTokens.times--;
      return fail(this.failTokens.status, 'temporarily_unavailable', 'AADSTS50196: The server is temporarily unavailable (test fault).');
    }
    if (form.get('grant_type') !== 'client_credentials') return fail(400, 'unsupported_grant_type', 'AADSTS70003: only client_credentials in this fake');
    if (!(form.get('scope') ?? '').endsWith('/.default')) return fail(400, 'invalid_scope', 'AADSTS70011: The scope must end with /.default for client credentials.');
    const app = this.apps.find((a) => a.tenantId === tenant && a.clientId === form.get('client_id'));
    if (app === undefined) return fail(400, 'unauthorized_client', `AADSTS700016: Application ${form.get('client_id') ?? ''} was not found in the directory ${tenant}.`);
    const good =
      (secret !== null && app.clientSecret !== undefined && secret === app.clientSecret) ||
      (assertion !== null && form.get('client_assertion_type') === ASSERTION_TYPE && app.federatedToken !== undefined && assertion === app.federatedToken);
    if (!good) return fail(401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value.');
    const token = randomBytes(24).toString('base64url');
    this.issued.add(token);
    record(this.#json(res, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token }));
  }
}

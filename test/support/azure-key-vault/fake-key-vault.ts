/**
 * A local HTTPS fake of the Azure Key Vault certificates REST API (the documented routes the
 * connector and the SDK use), because Lowkey Vault could not be obtained on this machine.
 * It behaves like the service where the connector's correctness depends on it:
 *
 * - challenge authentication: a request without a bearer token gets 401 with
 *   `WWW-Authenticate: Bearer authorization="<authority>/<tenant>", resource="…"`, and the SDK
 *   retries with a token, which must be one the fake Entra issued (or a static test token);
 * - `api-version` is required; names must match `^[0-9a-zA-Z-]+$`;
 * - import parses the PFX/PEM with the real openssl CLI and refuses what Key Vault refuses;
 *   each import is a new version; GET returns the latest; delete moves the object to the
 *   soft-deleted state, where GET is 404 and a new import of the name is 409 Conflict;
 * - faults on demand: RBAC denial (403), any status for the next N matching requests, an
 *   import that is rejected (400) or slow.
 * Every request is logged (method, path, whether it carried a token) for the tests' counts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { certificateBundle, certificateItem, deletedBundle, errorBody } from './bundles.ts';
import { ImportRejected, importVersion, latest, type StoredCertificate } from './vault-state.ts';

export interface FakeKeyVaultOptions {
  /** Server certificate chain (leaf first) and key, PEM. */
  readonly tls: { readonly certPem: string; readonly keyPem: string };
  /** Tenant named in the challenge. */
  readonly tenantId: string;
  /** Authority named in the challenge (the fake Entra's URL, or Azure's). */
  readonly authority: string;
  /** Resource named in the challenge; default Azure's `https://vault.azure.net`. */
  readonly resource?: string;
  /** Whether a bearer token is valid. */
  readonly acceptToken: (token: string) => boolean;
}

export interface LoggedRequest {
  readonly method: string;
  readonly path: string;
  readonly authorized: boolean;
  readonly status: number;
}

export interface Fault {
  readonly status: number;
  readonly code?: string;
  readonly message?: string;
  /** How many matching requests fail; default 1. */
  times?: number;
  readonly method?: string;
  readonly path?: RegExp;
  readonly headers?: Readonly<Record<string, string>>;
}

const API_VERSIONS = new Set(['7.0', '7.1', '7.2', '7.3', '7.4', '7.5', '7.6', '2025-07-01']);
const NAME = /^[0-9a-zA-Z-]{1,127}$/;
const SLOW_IMPORT_MS = 5_000;

export class FakeKeyVault {
  readonly certificates = new Map<string, StoredCertificate>();
  readonly log: LoggedRequest[] = [];
  importMode: 'ok' | 'reject' | 'slow' = 'ok';
  forbidden = false;
  readonly #faults: Fault[] = [];
  readonly #opts: FakeKeyVaultOptions;
  readonly #server: Server;
  #url = '';

  private constructor(opts: FakeKeyVaultOptions) {
    this.#opts = opts;
    this.#server = createServer({ cert: opts.tls.certPem, key: opts.tls.keyPem }, (req, res) => void this.#handle(req, res));
  }

  /** Starts the fake on a free loopback port. */
  static async start(opts: FakeKeyVaultOptions): Promise<FakeKeyVault> {
    const vault = new FakeKeyVault(opts);
    await new Promise<void>((resolve) => vault.#server.listen(0, '127.0.0.1', resolve));
    vault.#url = `https://127.0.0.1:${(vault.#server.address() as AddressInfo).port}`;
    return vault;
  }

  /** `https://127.0.0.1:<port>`. */
  get url(): string {
    return this.#url;
  }

  /** Fails the next matching requests with `fault`. */
  inject(fault: Fault): void {
    this.#faults.push({ ...fault, times: fault.times ?? 1 });
  }

  /** Requests that changed the vault (authorized, not GET, 2xx), optionally for one certificate name. */
  mutations(name?: string): LoggedRequest[] {
    return this.log.filter((r) => r.method !== 'GET' && r.authorized && r.status < 300 && (name === undefined || r.path.includes(`/${name}`)));
  }

  /** Every authorized request that was not a GET (attempted changes, whatever the answer). */
  attemptedMutations(name?: string): LoggedRequest[] {
    return this.log.filter((r) => r.method !== 'GET' && r.authorized && (name === undefined || r.path.includes(`/${name}`)));
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): number {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
    res.end(text);
    return status;
  }

  #challenge(res: ServerResponse, message: string): number {
    const www = `Bearer authorization="${this.#opts.authority}/${this.#opts.tenantId}", resource="${this.#opts.resource ?? 'https://vault.azure.net'}"`;
    return this.#send(res, 401, errorBody('Unauthorized', message), { 'www-authenticate': www });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', this.#url);
    const method = req.method ?? 'GET';
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    let status: number;
    try {
      status = await this.#route(method, url, auth, Buffer.concat(chunks).toString('utf8'), req, res);
    } catch (err) {
      status = this.#send(res, 500, errorBody('InternalError', `fake vault bug: ${(err as Error).message}`));
    }
    this.log.push({ method, path: url.pathname, authorized: auth !== undefined, status });
  }

  async #route(method: string, url: URL, token: string | undefined, body: string, req: IncomingMessage, res: ServerResponse): Promise<number> {
    if (token === undefined) return this.#challenge(res, 'AKV10000: Request is missing a Bearer or PoP token.');
    if (!this.#opts.acceptToken(token)) return this.#challenge(res, 'AKV10032: Invalid issuer or token.');
    const fault = this.#faults.find((f) => (f.method === undefined || f.method === method) && (f.path === undefined || f.path.test(url.pathname)));
    if (fault !== undefined) {
      fault.times = (fault.times ?? 1) - 1;
      if (fault.times <= 0) this.#faults.splice(this.#faults.indexOf(fault), 1);
      return this.#send(res, fault.status, errorBody(fault.code ?? 'Fault', fault.message ?? `injected HTTP ${fault.status}`), { ...fault.headers });
    }
    if (this.forbidden) {
      return this.#send(res, 403, errorBody('Forbidden', `Caller is not authorized to perform action on resource. Action: 'Microsoft.KeyVault/vaults/certificates/${method === 'GET' ? 'read' : 'import/action'}'`, 'ForbiddenByRbac'));
    }
    const apiVersion = url.searchParams.get('api-version') ?? '';
    if (!API_VERSIONS.has(apiVersion)) return this.#send(res, 400, errorBody('BadParameter', `The specified version (${apiVersion}) is not recognized.`));
    const base = `https://${req.headers.host ?? '127.0.0.1'}`;
    const parts = url.pathname.split('/').filter((p) => p !== '');
    const [collection, name, sub] = parts;
    if (name === undefined || !NAME.test(name)) return this.#send(res, 400, errorBody('BadParameter', 'The request URI contains an invalid name.'));
    const cert = this.certificates.get(name);
    const live = cert !== undefined && cert.deletedOn === null ? cert : undefined;
    const notFound = () => this.#send(res, 404, errorBody('CertificateNotFound', `A certificate with (name/id) ${name} was not found in this key vault.`));

    if (collection === 'certificates' && method === 'POST' && sub === 'import' && parts.length === 3) return this.#import(res, base, name, body);
    if (collection === 'certificates' && method === 'GET' && sub === 'versions') {
      return live === undefined ? notFound() : this.#send(res, 200, { value: live.versions.map((v) => certificateItem(base, live, v)), nextLink: null });
    }
    if (collection === 'certificates' && method === 'GET' && parts.length <= 3) {
      const v = sub === undefined ? live && latest(live) : live?.versions.find((x) => x.version === sub);
      return live === undefined || v === undefined ? notFound() : this.#send(res, 200, certificateBundle(base, live, v));
    }
    if (collection === 'certificates' && method === 'DELETE' && parts.length === 2) {
      if (live === undefined) return notFound();
      live.deletedOn = Date.now();
      return this.#send(res, 200, deletedBundle(base, live));
    }
    if (collection === 'deletedcertificates' && parts.length === 2) {
      if (cert?.deletedOn === null || cert === undefined) return this.#send(res, 404, errorBody('CertificateNotFound', `Deleted Certificate not found: ${name}`));
      if (method === 'GET') return this.#send(res, 200, deletedBundle(base, cert));
      if (method === 'DELETE') {
        this.certificates.delete(name);
        return this.#send(res, 204, undefined);
      }
    }
    return this.#send(res, 405, errorBody('MethodNotAllowed', `${method} ${url.pathname} is not part of this fake`));
  }

  async #import(res: ServerResponse, base: string, name: string, body: string): Promise<number> {
    const existing = this.certificates.get(name);
    if (existing !== undefined && existing.deletedOn !== null) {
      return this.#send(res, 409, errorBody('Conflict', `Certificate ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the certificate can only be recovered or purged.`));
    }
    if (this.importMode === 'reject') return this.#send(res, 400, errorBody('BadParameter', 'The certificate was rejected by the vault (test fault: import rejected).'));
    if (this.importMode === 'slow') await new Promise((r) => setTimeout(r, SLOW_IMPORT_MS));
    let input;
    try {
      const json = JSON.parse(body) as { value?: unknown; pwd?: unknown; tags?: unknown; policy?: { secret_props?: { contentType?: unknown } }; attributes?: { enabled?: unknown } };
      if (typeof json.value !== 'string' || json.value === '') throw new Error('value is required');
      input = {
        value: json.value,
        pwd: typeof json.pwd === 'string' ? json.pwd : undefined,
        contentType: typeof json.policy?.secret_props?.contentType === 'string' ? json.policy.secret_props.contentType : undefined,
        tags: (json.tags ?? undefined) as Record<string, string> | undefined,
        enabled: typeof json.attributes?.enabled === 'boolean' ? json.attributes.enabled : undefined,
      };
    } catch (err) {
      return this.#send(res, 400, errorBody('BadParameter', `The request body is invalid: ${(err as Error).message}`));
    }
    if (input.tags !== undefined && Object.keys(input.tags).length > 15) return this.#send(res, 400, errorBody('BadParameter', 'A maximum of 15 tags is allowed.'));
    const cert = existing ?? { name, versions: [], deletedOn: null };
    try {
      const v = await importVersion(cert, input, Date.now());
      this.certificates.set(name, cert);
      return this.#send(res, 200, certificateBundle(base, cert, v));
    } catch (err) {
      if (err instanceof ImportRejected) return this.#send(res, 400, errorBody(err.code, err.message));
      throw err;
    }
  }
}

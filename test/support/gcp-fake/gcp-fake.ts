/**
 * A local fake of the documented Certificate Manager REST API (v1) and of Google's token
 * endpoints, for testing the real `@google-cloud/certificate-manager` client. No emulator of
 * this service exists (test-infrastructure.md §6), so this fake is the test double; it answers
 * with the documented JSON shapes and nothing more clever.
 *
 * Three plain-HTTP loopback servers, so each is its own grant item:
 * - api: certificates create/get/patch/delete and operations.get (routes from the API's
 *   `google.api.http` options), bearer tokens required;
 * - token: the OAuth 2.0 token endpoint (JWT-bearer grant);
 * - metadata: the metadata server's service account token (workload identity).
 *
 * Tests read the state directly (`certificates`), see every request (`requests`: method, path,
 * query; never bodies, which carry keys) and inject failures by status.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CertificateStore, type OperationOutcome, type Refusal } from './certificate-store.ts';
import { certificateJson, errorBody, type StoredCertificate } from './google-json.ts';
import { OAuthState } from './oauth.ts';

export type FakeService = 'api' | 'token' | 'metadata';

/** One request the fake received. */
export interface FakeRequest {
  readonly service: FakeService;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly status: number;
}

/** A failure to answer with instead of handling the request. */
export interface InjectedFailure {
  readonly service?: FakeService;
  readonly method?: string;
  /** Matches when the path contains this text (e.g. `/operations/`). */
  readonly pathIncludes?: string;
  readonly status: number;
  /** A raw body instead of the JSON error envelope (e.g. a proxy's HTML page). */
  readonly rawBody?: string;
  /** How many matching requests fail; default 1. */
  times?: number;
}

const CERT_PATH = /^\/v1\/(projects\/[^/]+\/locations\/[^/]+)\/certificates(?:\/([^/]+))?$/;
const OP_PATH = /^\/v1\/(projects\/[^/]+\/locations\/[^/]+\/operations\/[^/]+)$/;
const METADATA_TOKEN = '/computeMetadata/v1/instance/service-accounts/default/token';

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  const server = createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

const isRefusal = (r: object): r is Refusal => (r as Partial<Refusal>).refused === true;

const baseUrl = (s: Server): string => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

export class GcpFake {
  readonly store = new CertificateStore();
  readonly oauth = new OAuthState();
  readonly requests: FakeRequest[] = [];
  readonly #failures: InjectedFailure[] = [];
  readonly #servers: Server[];
  /** Whether the metadata server has a service account to hand out tokens for. */
  metadataServiceAccount = true;
  readonly apiUrl: string;
  readonly tokenUrl: string;
  readonly metadataUrl: string;

  private constructor(api: Server, token: Server, metadata: Server) {
    this.#servers = [api, token, metadata];
    this.apiUrl = baseUrl(api);
    this.tokenUrl = `${baseUrl(token)}/token`;
    this.metadataUrl = baseUrl(metadata);
  }

  /** Starts the three servers on free loopback ports. */
  static async start(opts: { pollsUntilDone?: number } = {}): Promise<GcpFake> {
    const holder: { fake?: GcpFake } = {};
    const route = (service: FakeService) => (req: IncomingMessage, res: ServerResponse) => {
      void holder.fake?.handle(service, req, res);
    };
    const [api, token, metadata] = await Promise.all([listen(route('api')), listen(route('token')), listen(route('metadata'))]);
    const fake = new GcpFake(api, token, metadata);
    holder.fake = fake;
    if (opts.pollsUntilDone !== undefined) fake.store.pollsUntilDone = opts.pollsUntilDone;
    return fake;
  }

  /** Stored certificates by resource name: what "the cloud" holds. */
  get certificates(): ReadonlyMap<string, StoredCertificate> {
    return this.store.certificates;
  }

  /** Puts a certificate in place directly, as if someone else had created it. */
  seed(cert: StoredCertificate): void {
    this.store.certificates.set(cert.name, cert);
  }

  setOutcome(certificateName: string, outcome: OperationOutcome): void {
    this.store.setOutcome(certificateName, outcome);
  }

  injectFailure(failure: InjectedFailure): void {
    this.#failures.push({ times: 1, ...failure });
  }

  /** Requests to the API whose method is not GET: creates, updates, deletes. */
  mutations(): FakeRequest[] {
    return this.requests.filter((r) => r.service === 'api' && r.method !== 'GET');
  }

  async close(): Promise<void> {
    await Promise.all(this.#servers.map((s) => new Promise<void>((resolve) => {
      s.closeAllConnections();
      s.close(() => resolve());
    })));
  }

  async handle(service: FakeService, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    let status = 500;
    const send = (code: number, json: unknown, raw?: string): void => {
      status = code;
      res.writeHead(code, { 'content-type': raw === undefined ? 'application/json; charset=UTF-8' : 'text/html' });
      res.end(raw ?? JSON.stringify(json));
    };
    try {
      if (service === 'api') this.store.tick();
      const failure = this.#failures.find((f) => (f.service ?? 'api') === service && (f.method === undefined || f.method === method) && (f.pathIncludes === undefined || url.pathname.includes(f.pathIncludes)));
      if (failure !== undefined) {
        failure.times = (failure.times ?? 1) - 1;
        if (failure.times <= 0) this.#failures.splice(this.#failures.indexOf(failure), 1);
        if (service === 'api') send(failure.status, errorBody(failure.status, `Injected failure ${failure.status}.`), failure.rawBody);
        else send(failure.status, { error: 'temporarily_unavailable', error_description: `Injected failure ${failure.status}.` }, failure.rawBody);
      } else if (service === 'token') this.#token(method, url, req, body, send);
      else if (service === 'metadata') this.#metadata(method, url, req, send);
      else this.#api(method, url, req, body, send);
    } catch (err) {
      send(500, errorBody(500, `fake error: ${(err as Error).message}`));
    } finally {
      this.requests.push({ service, method, path: url.pathname, query: url.search, status });
    }
  }

  #token(method: string, url: URL, req: IncomingMessage, body: string, send: (code: number, json: unknown) => void): void {
    if (method !== 'POST' || url.pathname !== '/token') return send(404, { error: 'not_found' });
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return send(400, { error: 'invalid_request', error_description: 'form body expected' });
    const answer = this.oauth.exchange(new URLSearchParams(body), this.tokenUrl, Date.now());
    if (!answer.ok) return send(answer.status, { error: answer.error, error_description: answer.description });
    send(200, { access_token: answer.token, expires_in: 3599, token_type: 'Bearer' });
  }

  #metadata(method: string, url: URL, req: IncomingMessage, send: (code: number, json: unknown) => void): void {
    if (req.headers['metadata-flavor'] !== 'Google') return send(403, { error: 'Missing Metadata-Flavor: Google header' });
    if (method !== 'GET' || url.pathname !== METADATA_TOKEN) return send(404, { error: 'not found' });
    if (!this.metadataServiceAccount) return send(404, { error: 'no service account' });
    send(200, { access_token: this.oauth.issueToken(), expires_in: 3599, token_type: 'Bearer' });
  }

  #api(method: string, url: URL, req: IncomingMessage, body: string, send: (code: number, json: unknown) => void): void {
    const auth = String(req.headers.authorization ?? '');
    if (!auth.startsWith('Bearer ') || !this.oauth.isValidToken(auth.slice(7))) {
      return send(401, errorBody(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token.'));
    }
    const answer = (r: object | null, missing: string): void => {
      if (r === null) return send(404, errorBody(404, missing));
      if (isRefusal(r)) return send(r.status, errorBody(r.status, r.message));
      send(200, r);
    };
    const op = OP_PATH.exec(url.pathname);
    if (op !== null && method === 'GET') return answer(this.store.getOperation(op[1] as string), 'Operation not found.');
    const m = CERT_PATH.exec(url.pathname);
    if (m === null) return send(404, errorBody(404, `No route for ${method} ${url.pathname}`));
    const [, parent, id] = m as unknown as [string, string, string | undefined];
    const json = (): Record<string, unknown> => (body === '' ? {} : (JSON.parse(body) as Record<string, unknown>));
    if (id === undefined && method === 'POST') return answer(this.store.create(parent, url.searchParams.get('certificateId') ?? '', json()), '');
    if (id === undefined && method === 'GET') {
      const certificates = [...this.store.certificates.values()].filter((c) => c.name.startsWith(`${parent}/`)).map(certificateJson);
      return send(200, { certificates });
    }
    const name = `${parent}/certificates/${id}`;
    if (method === 'GET') {
      const cert = this.store.certificates.get(name);
      return answer(cert === undefined ? null : certificateJson(cert), `Resource '${name}' was not found`);
    }
    if (method === 'PATCH') return answer(this.store.update(name, (url.searchParams.get('updateMask') ?? '').split(','), json()), '');
    if (method === 'DELETE') return answer(this.store.delete(name), '');
    send(405, errorBody(400, `Method ${method} is not supported.`));
  }
}

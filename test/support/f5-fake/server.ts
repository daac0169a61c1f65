/**
 * A fake F5 BIG-IP management interface: a real HTTPS server on a free loopback port, with a
 * CA of its own, implementing exactly the documented iControl REST subset the f5BigIp
 * connector uses (login/token, uploads, sys crypto install/list/get/delete, unix-rm,
 * client-ssl profile GET/PATCH, transactions). It is NOT a BIG-IP: it models documented
 * behaviour only. Tests read its state directly and inject failures (a failing or slow
 * commit, a one-shot error on any route).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { authenticate, authorize, login, type AuthKind, type FakeUser } from './auth.ts';
import {
  commitTransaction, deleteCrypto, getCrypto, install, listCrypto, normalizeChain, patchProfile, profileView, transactionView, unixRm, upload,
  type CommitMode, type RouteRequest,
} from './config-routes.ts';
import { F5Error, saveConfig, type FakeState, type Transaction } from './model.ts';

/** Route names for failure injection. */
export type FakeRoute =
  | 'login' | 'logout' | 'upload' | 'unixRm' | 'installCert' | 'installKey' | 'listCrypto' | 'getCrypto' | 'deleteCrypto'
  | 'getProfile' | 'patchProfile' | 'queueCommand' | 'createTransaction' | 'getTransaction' | 'commit' | 'deleteTransaction' | 'saveConfig';

export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  route: FakeRoute | 'unknown';
  auth: AuthKind;
  readonly coordinationId?: string;
  status: number;
}

export interface Injection {
  readonly route: FakeRoute;
  readonly status: number;
  readonly message: string;
  times: number;
}

/** Mutable knobs of a running fake. */
export interface FakeControls {
  commitMode: CommitMode;
  /** How long a `slow` commit takes before it applies. */
  slowCommitMs: number;
  readonly injections: Injection[];
  readonly requests: RequestRecord[];
  now(): number;
}

type Reply = { status: number; body?: unknown };
const MAX_BODY = 2 * 1024 * 1024;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new F5Error(413, 'Request body too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

const body = (r: RouteRequest): Record<string, unknown> => {
  try {
    return JSON.parse(r.body.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new F5Error(400, 'Found invalid JSON body in the request.');
  }
};

/** Which route a request is, and its handler. */
function route(state: FakeState, c: FakeControls, method: string, path: string): { name: FakeRoute | 'unknown'; admin?: boolean; ownSession?: boolean; run?: (r: RouteRequest) => Promise<Reply> | Reply } {
  let m: RegExpExecArray | null;
  if ((m = /^\/mgmt\/shared\/authz\/tokens\/([^/]+)$/.exec(path)) && method === 'DELETE') {
    const token = decodeURIComponent(m[1] as string);
    // Ending one's own session is allowed to every role.
    return { name: 'logout', ownSession: true, run: () => (state.tokens.delete(token) ? { status: 200, body: { token } } : Promise.reject(new F5Error(404, 'Token not found'))) };
  }
  if ((m = /^\/mgmt\/shared\/file-transfer\/uploads\/([^/]+)$/.exec(path)) && method === 'POST') {
    const name = decodeURIComponent(m[1] as string);
    return { name: 'upload', run: (r) => ({ status: 200, body: upload(state, name, r) }) };
  }
  if (path === '/mgmt/tm/sys/config' && method === 'POST') {
    return { name: 'saveConfig', run: (r) => {
      if (body(r).command !== 'save') throw new F5Error(400, 'This fake runs only {"command":"save"} on sys config.');
      saveConfig(state);
      return { status: 200, body: { kind: 'tm:sys:config:runstate', command: 'save' } };
    } };
  }
  if (path === '/mgmt/tm/util/unix-rm' && method === 'POST') return { name: 'unixRm', admin: true, run: (r) => ({ status: 200, body: unixRm(state, r) }) };
  if ((m = /^\/mgmt\/tm\/sys\/crypto\/(cert|key)$/.exec(path))) {
    const kind = m[1] as 'cert' | 'key';
    if (method === 'POST') return { name: kind === 'cert' ? 'installCert' : 'installKey', run: (r) => ({ status: 200, body: install(state, kind, r) }) };
    if (method === 'GET') return { name: 'listCrypto', run: (r) => ({ status: 200, body: listCrypto(state, kind, r) }) };
  }
  if ((m = /^\/mgmt\/tm\/sys\/crypto\/(cert|key)\/(~[^/]+)$/.exec(path))) {
    const kind = m[1] as 'cert' | 'key';
    const full = decodeURIComponent(m[2] as string).replaceAll('~', '/');
    if (method === 'GET') return { name: 'getCrypto', run: () => ({ status: 200, body: getCrypto(state, kind, full) }) };
    if (method === 'DELETE') return { name: 'deleteCrypto', run: () => (deleteCrypto(state, kind, full), { status: 200 }) };
  }
  if ((m = /^\/mgmt\/tm\/ltm\/profile\/client-ssl\/(~[^/]+)$/.exec(path))) {
    const full = decodeURIComponent(m[1] as string).replaceAll('~', '/');
    if (method === 'GET') {
      return { name: 'getProfile', run: () => {
        const p = state.profiles.get(full);
        if (p === undefined) throw new F5Error(404, `01020036:3: The requested Client SSL profile (${full}) was not found.`);
        return { status: 200, body: profileView(p) };
      } };
    }
    if (method === 'PATCH') return { name: 'patchProfile', run: (r) => ({ status: 200, body: patchProfile(state, full, body(r)) }) };
  }
  if (path === '/mgmt/tm/transaction' && method === 'POST') {
    return { name: 'createTransaction', run: () => {
      const tx: Transaction = { transId: Date.now() * 1000 + state.transactions.size, state: 'STARTED', commands: [], failureReason: '' };
      state.transactions.set(tx.transId, tx);
      return { status: 200, body: transactionView(tx) };
    } };
  }
  if ((m = /^\/mgmt\/tm\/transaction\/(\d+)$/.exec(path))) {
    const tx = state.transactions.get(Number(m[1]));
    const need = (): Transaction => {
      if (tx === undefined) throw new F5Error(404, `Transaction ${m?.[1]} not found.`);
      return tx;
    };
    if (method === 'GET') return { name: 'getTransaction', run: () => ({ status: 200, body: transactionView(need()) }) };
    if (method === 'DELETE') {
      return { name: 'deleteTransaction', run: () => {
        if (need().state === 'VALIDATING') throw new F5Error(400, `Transaction ${need().transId} is being validated and cannot be deleted.`);
        state.transactions.delete(need().transId);
        return { status: 200 };
      } };
    }
    if (method === 'PATCH') {
      return { name: 'commit', run: async (r) => {
        const t = need();
        const b = body(r);
        if (b.state !== 'VALIDATING') throw new F5Error(400, 'Only {"state":"VALIDATING"} commits a transaction.');
        if (t.state !== 'STARTED') throw new F5Error(400, `Transaction ${t.transId} is ${t.state}, not STARTED.`);
        if (t.commands.length === 0) throw new F5Error(400, `Transaction ${t.transId} has no commands.`);
        t.state = 'VALIDATING';
        if (c.commitMode === 'slow') await sleep(c.slowCommitMs);
        commitTransaction(state, t, c.commitMode, b.validateOnly === true);
        return { status: 200, body: transactionView(t) };
      } };
    }
  }
  return { name: 'unknown' };
}

/** Queues a command (the normal request plus `X-F5-REST-Coordination-Id`) instead of running it. */
function queue(state: FakeState, id: string, method: string, path: string, r: RouteRequest): Reply {
  const tx = state.transactions.get(Number(id));
  if (tx === undefined) throw new F5Error(404, `Transaction ${id} not found.`);
  if (tx.state !== 'STARTED') throw new F5Error(400, `Transaction ${id} is ${tx.state}, not STARTED.`);
  const m = /^\/mgmt\/tm\/ltm\/profile\/client-ssl\/(~[^/]+)$/.exec(path);
  if (method !== 'PATCH' || m === null) throw new F5Error(400, `This fake queues only client-ssl profile PATCHes in a transaction, not ${method} ${path}.`);
  const b = body(r);
  normalizeChain(b.certKeyChain ?? [], path);
  const profilePath = decodeURIComponent(m[1] as string).replaceAll('~', '/');
  tx.commands.push({ profilePath, body: b });
  const n = tx.commands.length;
  return { status: 200, body: { method, uri: `https://localhost${path}`, body: b, evalOrder: n, commandId: n, kind: 'tm:transaction:commandsstate', selfLink: `https://localhost/mgmt/tm/transaction/${id}/commands/${n}?ver=17.1.0` } };
}

/** Handles one HTTP exchange. */
export function handler(state: FakeState, users: readonly FakeUser[], c: FakeControls) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const coordination = req.headers['x-f5-rest-coordination-id'];
    const record: RequestRecord = { method, path: url.pathname, route: 'unknown', auth: 'none', status: 0, ...(typeof coordination === 'string' ? { coordinationId: coordination } : {}) };
    c.requests.push(record);
    let reply: Reply;
    try {
      const r: RouteRequest = { method, headers: req.headers, query: url.searchParams, body: await readBody(req) };
      if (url.pathname === '/mgmt/shared/authn/login' && method === 'POST') {
        record.route = 'login';
        injected(c, 'login');
        reply = { status: 200, body: login(state, users, body(r), c.now()) };
      } else {
        const found = route(state, c, method, url.pathname);
        record.route = typeof coordination === 'string' ? 'queueCommand' : found.name;
        const who = authenticate(state, users, req.headers, c.now());
        record.auth = who.kind;
        if (found.run === undefined) throw new F5Error(404, `Public URI path not registered: ${url.pathname}`);
        if (found.ownSession !== true) authorize(who.user, method, found.admin === true);
        if (record.route !== 'unknown') injected(c, record.route);
        reply = typeof coordination === 'string' ? queue(state, coordination, method, url.pathname, r) : await found.run(r);
      }
    } catch (err) {
      const e = err instanceof F5Error ? err : new F5Error(500, `internal error: ${err instanceof Error ? err.message : String(err)}`);
      reply = { status: e.status, body: { code: e.status, message: e.message, errorStack: [], apiError: 3 } };
    }
    record.status = reply.status;
    const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
}

/** Throws the next injected failure for `name`, if any. */
function injected(c: FakeControls, name: FakeRoute): void {
  const i = c.injections.find((x) => x.route === name && x.times > 0);
  if (i === undefined) return;
  i.times--;
  throw new F5Error(i.status, i.message);
}

/** Starts the management HTTPS server on a free 127.0.0.1 port. */
export async function listen(tls: { cert: string; key: string }, onRequest: ReturnType<typeof handler>): Promise<{ address: string; close(): Promise<void> }> {
  const server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => void onRequest(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    address: `127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

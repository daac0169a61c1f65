/**
 * A unix-socket proxy in front of a real HAProxy admin socket, for tests that need the Runtime
 * API to refuse, hang or go away on demand, and to count what a connector sent. Each connection
 * carries one command (HAProxy's non-interactive mode): the proxy reads it to the client's
 * half-close, acts on its mode, and relays HAProxy's real answer.
 *
 * Modes:
 * - `ok`: relays everything unchanged.
 * - `fail`: `set ssl cert` reaches HAProxy with the payload's private key swapped for an
 *   unrelated one, so the REAL HAProxy accepts the transaction and then refuses the commit
 *   ("inconsistencies between private key and certificate"). The commit reply additionally
 *   echoes the original payload, like a server dumping its input, so a connector that quotes
 *   replies without redaction leaks the key and is caught.
 * - `slow`: holds `set ssl cert` for `slowMs` before relaying (a cancel can land meanwhile).
 * - `refuse`: closes every connection without an answer.
 */
import { generateKeyPairSync } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { runtimeCommand } from './haproxy.ts';

export type FaultMode = 'ok' | 'fail' | 'slow' | 'refuse';

export interface FaultProxy {
  readonly socketPath: string;
  mode: FaultMode;
  /** Commands received, by their first three words (`set ssl cert`, `show ssl cert`, …). */
  readonly counts: Map<string, number>;
  /** Total commands received. */
  total(): number;
  /** Commands other than `show …`: what must stay at zero on a replay. */
  mutations(): number;
  reset(): void;
  close(): Promise<void>;
}

const PRIVATE_KEY = /-----BEGIN PRIVATE KEY-----[\s\S]*?-----END PRIVATE KEY-----\n?/;

export interface FaultProxyOptions {
  readonly slowMs?: number;
}

/** Listens on `socketPath`, relaying to HAProxy's `upstreamPath`. */
export async function startFaultProxy(socketPath: string, upstreamPath: string, opts: FaultProxyOptions = {}): Promise<FaultProxy> {
  const slowMs = opts.slowMs ?? 5_000;
  // An unrelated key: HAProxy parses it fine and finds it does not match the certificate.
  const foreignKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const counts = new Map<string, number>();
  let lastPayload = '';
  const state = { mode: 'ok' as FaultMode };

  async function answer(request: string, isOpen: () => boolean, closed: Promise<void>): Promise<string> {
    const verb = request.split(/\s+/).slice(0, 3).join(' ');
    counts.set(verb, (counts.get(verb) ?? 0) + 1);
    const mode = state.mode;
    if (mode === 'refuse') return '';
    if (verb === 'set ssl cert') {
      lastPayload = request;
      if (mode === 'slow') {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([new Promise((r) => (timer = setTimeout(r, slowMs))), closed]);
        clearTimeout(timer);
      }
      if (!isOpen()) return '';
      if (mode === 'fail') return runtimeCommand(upstreamPath, request.replace(PRIVATE_KEY, foreignKey));
    }
    const reply = await runtimeCommand(upstreamPath, request);
    if (mode === 'fail' && verb === 'commit ssl cert') return `${reply}${lastPayload}`;
    return reply;
  }

  const sockets = new Set<Socket>();
  const server: Server = createServer({ allowHalfOpen: true }, (sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    const chunks: Buffer[] = [];
    let open = true;
    const closed = new Promise<void>((resolve) => {
      sock.on('close', () => {
        open = false;
        resolve();
      });
    });
    sock.on('error', () => (open = false));
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('end', () => {
      const request = Buffer.concat(chunks).toString('utf8');
      answer(request, () => open, closed).then(
        (reply) => (open ? sock.end(reply) : undefined),
        () => sock.destroy(),
      );
    });
  });
  await rm(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    socketPath,
    get mode() {
      return state.mode;
    },
    set mode(m: FaultMode) {
      state.mode = m;
    },
    counts,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    mutations: () => [...counts.entries()].filter(([verb]) => !verb.startsWith('show ')).reduce((a, [, n]) => a + n, 0),
    reset: () => counts.clear(),
    close() {
      // A held (slow) exchange whose client went away is still open on this side: end it.
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

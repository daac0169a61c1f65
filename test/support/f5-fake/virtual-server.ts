/**
 * The data plane of the fake: a TLS listener standing in for a virtual server. Each handshake
 * picks the client-ssl profile by SNI and serves what that profile's certKeyChain references
 * at that moment (leaf + chain, with the key object), so a real TLS handshake — the verify
 * step of the controller, or a test — sees exactly what a swap made live.
 */
import type { AddressInfo, Socket } from 'node:net';
import { createSecureContext, createServer, type SecureContext } from 'node:tls';
import type { FakeState } from './model.ts';

export interface VirtualServer {
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  /** Serves `profilePath` to clients that send `serverName` as SNI. */
  route(serverName: string, profilePath: string): void;
  close(): Promise<void>;
}

/** Builds the TLS context for a profile's first entry, or null when it has none usable. */
function contextFor(state: FakeState, profilePath: string | undefined): SecureContext | null {
  const entry = profilePath === undefined ? undefined : state.profiles.get(profilePath)?.certKeyChain[0];
  const cert = typeof entry?.cert === 'string' ? state.certs.get(entry.cert) : undefined;
  const key = typeof entry?.key === 'string' ? state.keys.get(entry.key) : undefined;
  if (cert === undefined || key === undefined) return null;
  const chain = typeof entry?.chain === 'string' ? (state.certs.get(entry.chain)?.pems ?? []) : [];
  return createSecureContext({ cert: [...cert.pems, ...chain].join(''), key: key.pem });
}

/** Starts the listener on a free loopback port. */
export async function startVirtualServer(state: FakeState): Promise<VirtualServer> {
  const routes = new Map<string, string>();
  const server = createServer({
    SNICallback: (name, cb) => {
      const ctx = contextFor(state, routes.get(name.toLowerCase()));
      if (ctx === null) cb(new Error(`no profile serves ${name}`));
      else cb(null, ctx);
    },
  }, (socket) => socket.end());
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    route: (serverName, profilePath) => void routes.set(serverName.toLowerCase(), profilePath),
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/**
 * `startF5Fake()`: a fake BIG-IP (management HTTPS API + a TLS "virtual server") for tests of
 * the f5BigIp connector. It mints its own CA and management certificate (127.0.0.1 and
 * localhost), seeds the factory objects a BIG-IP ships with (`/Common/default.crt`,
 * `/Common/default.key`, `/Common/ca-bundle.crt`), listens on free loopback ports, and
 * exposes its state and failure-injection knobs. Everything lives in this process and is gone
 * after `stop()`.
 */
import { connect } from 'node:tls';
import { mintChain, mintSelfSigned } from '../certs/index.ts';
import type { FakeUser } from './auth.ts';
import { handler, listen, type FakeControls, type FakeRoute, type RequestRecord } from './server.ts';
import { fingerprintHex, newState, saveConfig, savedConfigProblems, type CertKeyChainEntry, type FakeState, type Profile } from './model.ts';
import { startVirtualServer, type VirtualServer } from './virtual-server.ts';
import type { CommitMode } from './config-routes.ts';

export type { FakeUser, Role } from './auth.ts';
export type { FakeRoute, RequestRecord } from './server.ts';
export type { FakeState, Profile, CertKeyChainEntry } from './model.ts';
export type { CommitMode } from './config-routes.ts';

export const DEFAULT_CERT = '/Common/default.crt';
export const DEFAULT_KEY = '/Common/default.key';

export interface F5Fake {
  /** `127.0.0.1:<port>` of the management interface. */
  readonly address: string;
  /** PEM of the CA that signed the management certificate (the connector's `caBundle`). */
  readonly caPem: string;
  /** `127.0.0.1:<port>` of the TLS listener serving profiles by SNI. */
  readonly virtualAddress: string;
  readonly state: FakeState;
  /** Every request, in order, with its route, auth kind and status. */
  readonly requests: RequestRecord[];
  readonly users: FakeUser[];
  /** Creates (and saves, like an administrator would) a client-ssl profile using the factory default certificate and key. */
  createProfile(name: string, opts?: { partition?: string; certKeyChain?: CertKeyChainEntry[] }): Profile;
  /** Routes SNI `serverName` on the virtual server to `profilePath`. */
  serve(serverName: string, profilePath: string): void;
  setCommitMode(mode: CommitMode, slowCommitMs?: number): void;
  /** The next `times` requests to `route` fail with `status` and `message`. */
  failNext(route: FakeRoute, status: number, message: string, times?: number): void;
  /** Every token session expires now (BIG-IP's 1200 s lifetime, elapsed). */
  expireTokens(): void;
  /** What a reboot into the saved configuration would find missing (empty: it loads). */
  savedConfigProblems(): string[];
  /** Requests other than GET, optionally since index `from` of `requests`. */
  mutatingRequests(from?: number): RequestRecord[];
  /** The leaf fingerprint the virtual server serves for `serverName` (a real handshake), or null. */
  servedFingerprint(serverName: string): Promise<string | null>;
  stop(): Promise<void>;
}

export interface F5FakeOptions {
  /** Users; default one `admin` with password `admin-password`. */
  readonly users?: FakeUser[];
}

/** Starts a fake BIG-IP. */
export async function startF5Fake(opts: F5FakeOptions = {}): Promise<F5Fake> {
  const [mgmt, factory] = await Promise.all([
    mintChain({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], name: 'F5 Fake Mgmt', intermediates: 0 }),
    mintSelfSigned({ dnsNames: ['localhost.localdomain'] }),
  ]);
  const state = newState();
  state.certs.set(DEFAULT_CERT, { fullPath: DEFAULT_CERT, pems: [factory.leafPem] });
  state.keys.set(DEFAULT_KEY, { fullPath: DEFAULT_KEY, pem: factory.keyPem });
  state.certs.set('/Common/ca-bundle.crt', { fullPath: '/Common/ca-bundle.crt', pems: [mgmt.rootPem] });
  saveConfig(state);
  const users = opts.users ?? [{ username: 'admin', password: 'admin-password', role: 'admin' }];
  const controls: FakeControls = { commitMode: 'ok', slowCommitMs: 4000, injections: [], requests: [], now: () => Date.now() };
  const api = await listen({ cert: mgmt.chainPem.slice(0, -1).join(''), key: mgmt.keyPem }, handler(state, users, controls));
  let virtual: VirtualServer;
  try {
    virtual = await startVirtualServer(state);
  } catch (err) {
    await api.close();
    throw err;
  }
  const [vHost = '127.0.0.1', vPort = '0'] = virtual.address.split(':');

  return {
    address: api.address,
    caPem: mgmt.rootPem,
    virtualAddress: virtual.address,
    state,
    requests: controls.requests,
    users,
    createProfile(name, o = {}) {
      const fullPath = `/${o.partition ?? 'Common'}/${name}`;
      const profile: Profile = { fullPath, generation: 1, certKeyChain: o.certKeyChain ?? [{ name: 'default', cert: DEFAULT_CERT, key: DEFAULT_KEY }] };
      state.profiles.set(fullPath, profile);
      saveConfig(state);
      return profile;
    },
    serve: (serverName, profilePath) => virtual.route(serverName, profilePath),
    setCommitMode(mode, slowCommitMs) {
      controls.commitMode = mode;
      if (slowCommitMs !== undefined) controls.slowCommitMs = slowCommitMs;
    },
    failNext: (route, status, message, times = 1) => void controls.injections.push({ route, status, message, times }),
    expireTokens() {
      for (const t of state.tokens.values()) t.expiresAt = 0;
    },
    savedConfigProblems: () => savedConfigProblems(state),
    mutatingRequests: (from = 0) => controls.requests.slice(from).filter((r) => r.method !== 'GET'),
    servedFingerprint: (serverName) =>
      new Promise((resolve) => {
        // Reads what is served; trust is not the question here (the chains are the tests' own).
        const socket = connect({ host: vHost, port: Number(vPort), servername: serverName, rejectUnauthorized: false }, () => {
          const raw = socket.getPeerX509Certificate()?.toString();
          socket.destroy();
          resolve(raw === undefined ? null : fingerprintHex(raw));
        });
        socket.on('error', () => resolve(null));
      }),
    async stop() {
      await Promise.all([api.close(), virtual.close()]);
    },
  };
}

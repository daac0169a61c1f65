/**
 * How the controller reaches the API server: a base URL and, per request, the headers and the
 * TLS dispatcher. Why not client-node's KubeConfig for everything: importing it loads every
 * generated API and model (about 80 MiB of RSS before any work), and it builds a new undici
 * Agent for every request (`applySecurityAuthentication` → `createDispatcher`), so every call
 * pays a TCP + TLS handshake and the agents pile up in memory. {@link leanAccess} covers what a
 * pod and a plain kubeconfig use (CA, client certificate, bearer token, token file) with ONE
 * keep-alive Agent; any other kubeconfig (exec and auth-provider plugins, basic auth, proxies)
 * goes through client-node exactly as before ({@link kubeConfigAccess}, loaded on demand).
 */
import { readFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import { Agent, type Dispatcher } from 'undici';
import { realClock } from '../../core/clock.ts';

/** Headers and the dispatcher for one request. */
export interface RequestAuth {
  readonly headers: Record<string, string>;
  readonly dispatcher?: Dispatcher;
}

/** The API server and how to authenticate to it. */
export interface KubeAccess {
  /** e.g. https://10.0.0.1:443, without a trailing slash. */
  readonly server: string;
  auth(): Promise<RequestAuth>;
}

/** What runtime modules accept: the lean access, or a client-node KubeConfig (tests, tools). */
export type KubeConnection = KubeAccess | KubeConfig;

const isAccess = (c: KubeConnection): c is KubeAccess => typeof (c as Partial<KubeAccess>).auth === 'function' && typeof (c as Partial<KubeAccess>).server === 'string';

/** The access for `c`; a KubeConfig is wrapped once per call site. */
export function accessOf(c: KubeConnection): KubeAccess {
  return isAccess(c) ? c : kubeConfigAccess(c);
}

/**
 * A client-node KubeConfig as a {@link KubeAccess}, with its own authentication per request
 * (exec plugins may hand out short-lived tokens or certificates). Loads client-node's request
 * classes only when used.
 */
export function kubeConfigAccess(kc: KubeConfig): KubeAccess {
  const cluster = kc.getCurrentCluster();
  return {
    server: (cluster?.server ?? '').replace(/\/+$/, ''),
    async auth() {
      const { HttpMethod, RequestContext } = await import('@kubernetes/client-node');
      const ctx = new RequestContext(cluster?.server ?? 'https://invalid', HttpMethod.GET);
      await kc.applySecurityAuthentication(ctx);
      return { headers: ctx.getHeaders(), dispatcher: ctx.getDispatcher() };
    },
  };
}

/** The parts of a cluster and user entry that {@link leanAccess} supports. */
export interface LeanCredentials {
  readonly server: string;
  readonly ca?: string;
  readonly skipTlsVerify?: boolean;
  readonly tlsServerName?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly token?: string;
  /** Re-read at most once a minute, as client-node's tokenFile provider does (projected tokens rotate). */
  readonly tokenFile?: string;
}

const TOKEN_FILE_REFRESH_MS = 60_000;

/** One keep-alive Agent for every request; headers carry the (possibly refreshed) token. */
export function leanAccess(c: LeanCredentials, now: () => number = () => realClock.now()): KubeAccess {
  const dispatcher = new Agent({
    connect: {
      ...(c.ca !== undefined ? { ca: c.ca } : {}),
      ...(c.cert !== undefined ? { cert: c.cert } : {}),
      ...(c.key !== undefined ? { key: c.key } : {}),
      ...(c.skipTlsVerify === true ? { rejectUnauthorized: false } : {}),
      ...(c.tlsServerName !== undefined ? { servername: c.tlsServerName } : {}),
    },
  });
  let token = c.token;
  let readAt = -Infinity;
  return {
    server: c.server.replace(/\/+$/, ''),
    async auth() {
      if (c.tokenFile !== undefined && now() - readAt >= TOKEN_FILE_REFRESH_MS) {
        token = readFileSync(c.tokenFile, 'utf8').trim();
        readAt = now();
      }
      const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
      return { headers, dispatcher };
    },
  };
}

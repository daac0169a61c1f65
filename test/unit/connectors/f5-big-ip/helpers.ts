/**
 * Shared set-up for the f5BigIp tests: a connector built through the real schema against a
 * fake BIG-IP, deployed through a real checked sandbox (optionally decorated to act on a
 * request), with the outcome captured and the fake's request log sliced per deploy.
 */
import type { Connector, DeployResult } from '../../../../packages/connector-sdk/src/connector.ts';
import type { Deployment } from '../../../../packages/connector-sdk/src/deployment.ts';
import { f5BigIpConnector } from '../../../../src/connectors/f5-big-ip/index.ts';
import { createSandbox } from '../../../../packages/connector-sdk/src/sandbox/checked-sandbox.ts';
import { LocalHost } from '../../../../packages/connector-sdk/src/sandbox/host/local-host.ts';
import type { HttpRequest, Sandbox } from '../../../../packages/connector-sdk/src/sandbox/sandbox.ts';
import { CREDENTIALS_SECRET, secretsFor, withSecrets } from '../../../conformance/fixtures/f5-big-ip.ts';
import type { F5Fake, FakeUser, RequestRecord } from '../../../support/f5-fake/index.ts';

const host = new LocalHost();

/** A connector for `profile` on `fake`, as `user` (default the fake's first user). */
export function connectorFor(fake: F5Fake, profile: string, extra: Record<string, unknown> = {}, user?: Pick<FakeUser, 'username' | 'password'>): Connector {
  const config = f5BigIpConnector.configSchema.parse({
    address: fake.address,
    clientSslProfile: profile,
    credentialsRef: { name: CREDENTIALS_SECRET },
    caBundle: fake.caPem,
    ...extra,
  });
  return withSecrets(f5BigIpConnector.create(config), secretsFor(user ?? (fake.users[0] as FakeUser)));
}

export type Outcome = { ok: true; result: DeployResult; requests: RequestRecord[] } | { ok: false; error: unknown; requests: RequestRecord[] };

export interface DeployOpts {
  readonly ownerId?: string;
  readonly signal?: AbortSignal;
  /** Called before each request reaches the sandbox (to abort, expire tokens, …). */
  readonly onRequest?: (req: HttpRequest) => void;
}

/** Wraps a sandbox so `onRequest` sees each request first. */
function observed(inner: Sandbox, onRequest?: (req: HttpRequest) => void): Sandbox {
  if (onRequest === undefined) return inner;
  return {
    get grant() {
      return inner.grant;
    },
    readFile: (p, o) => inner.readFile(p, o),
    writeFile: (p, d, o) => inner.writeFile(p, d, o),
    restoreFile: (w, o) => inner.restoreFile(w, o),
    writeFileSet: (f, o) => inner.writeFileSet(f, o),
    restoreFileSet: (w, o) => inner.restoreFileSet(w, o),
    exec: (a, o) => inner.exec(a, o),
    request: (r) => {
      onRequest(r);
      return inner.request(r);
    },
    send: (a, d, o) => inner.send(a, d, o),
    tlsProbe: (o) => inner.tlsProbe(o),
  };
}

/** Deploys once through a fresh checked sandbox; never throws for a failed deploy. */
export async function deploy(fake: F5Fake, connector: Connector, dep: Deployment, opts: DeployOpts = {}): Promise<Outcome> {
  const checked = createSandbox({ grant: connector.capabilities(), host });
  const from = fake.requests.length;
  try {
    const result = await connector.deploy(opts.signal ?? new AbortController().signal, observed(checked, opts.onRequest), dep, { ownerId: opts.ownerId ?? 'uid-1/web' });
    return { ok: true, result, requests: fake.requests.slice(from) };
  } catch (error) {
    return { ok: false, error, requests: fake.requests.slice(from) };
  } finally {
    await checked.close();
  }
}

/** Deploys and fails the test with the connector's error when it did not succeed. */
export async function mustDeploy(fake: F5Fake, connector: Connector, dep: Deployment, opts: DeployOpts = {}): Promise<DeployResult & { requests: RequestRecord[] }> {
  const o = await deploy(fake, connector, dep, opts);
  if (!o.ok) throw new Error(`deploy failed: ${o.error instanceof Error ? o.error.message : String(o.error)}`, { cause: o.error });
  return { ...o.result, requests: o.requests };
}

/** Undeploys once through a fresh checked sandbox. */
export async function undeploy(fake: F5Fake, connector: Connector, ownerId = 'uid-1/web'): Promise<RequestRecord[]> {
  const checked = createSandbox({ grant: connector.capabilities(), host });
  const from = fake.requests.length;
  try {
    await connector.undeploy?.(new AbortController().signal, checked, { ownerId });
    return fake.requests.slice(from);
  } finally {
    await checked.close();
  }
}

/** Full paths of the certificate and key objects whose names start with `prefix` (e.g. `/Common/certdeployer-`). */
export function objectsWithPrefix(fake: F5Fake, prefix: string): string[] {
  return [...fake.state.certs.keys(), ...fake.state.keys.keys()].filter((p) => p.startsWith(prefix)).sort();
}

/** The managed entry (first, or by name) of a profile, as the fake holds it. */
export function entryOf(fake: F5Fake, profilePath: string, name?: string) {
  const chain = fake.state.profiles.get(profilePath)?.certKeyChain ?? [];
  return name === undefined ? chain[0] : chain.find((e) => e.name === name);
}

/** `METHOD /path` lines of a request list, for readable assertions. */
export const lines = (rs: readonly RequestRecord[]): string[] => rs.map((r) => `${r.method} ${r.path}`);

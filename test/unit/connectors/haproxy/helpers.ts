/**
 * Shared pieces of the haproxy connector tests: a real HAProxy target (with the fault proxy in
 * front of its admin socket, for counting and faults), connector construction through the real
 * schema, and one deploy through a checked, counting sandbox, optionally wrapped by a test
 * decorator that tampers with what the connector sends (a key swapped "at the sandbox level").
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { haproxyConnector } from '../../../../src/connectors/haproxy/index.ts';
import type { Connector, DeployResult } from '../../../../packages/connector-sdk/src/connector.ts';
import type { Deployment } from '../../../../packages/connector-sdk/src/deployment.ts';
import type { HostConfig } from '../../../../packages/connector-sdk/src/host-config.ts';
import { createSandbox } from '../../../../packages/connector-sdk/src/sandbox/checked-sandbox.ts';
import type { Host } from '../../../../packages/connector-sdk/src/sandbox/host/host.ts';
import type * as S from '../../../../packages/connector-sdk/src/sandbox/sandbox.ts';
import { CountingSandbox } from '../../../../packages/connector-sdk/src/conformance/counting-sandbox.ts';
import { startHaproxy, type HaproxyServer } from '../../../support/servers/haproxy.ts';
import { startFaultProxy, type FaultProxy } from '../../../support/servers/haproxy-fault-proxy.ts';

export interface Target {
  readonly server: HaproxyServer;
  readonly proxy: FaultProxy;
  dispose(): Promise<void>;
}

/** A real HAProxy in a temp dir (below `parentDir` when given) with a fault proxy on its socket. */
export async function newTarget(parentDir?: string): Promise<Target> {
  const server = await startHaproxy(parentDir === undefined ? {} : { parentDir });
  const proxy = await startFaultProxy(join(server.dir, 'proxy.sock'), server.socketPath, { slowMs: 3_000 });
  return {
    server,
    proxy,
    async dispose() {
      proxy.mode = 'refuse';
      await proxy.close();
      await server.stop();
    },
  };
}

/** The runtime-API connector for a target, built through the real schema. */
export function runtimeConnector(target: Target, hostConfig: HostConfig, extra: Record<string, unknown> = {}): Connector {
  return haproxyConnector.create(
    haproxyConnector.configSchema.parse({ host: hostConfig, certificatePath: target.server.certificatePath, runtimeApi: { socketPath: target.proxy.socketPath }, ...extra }),
  );
}

export type Outcome = { ok: true; result: DeployResult; sandbox: CountingSandbox } | { ok: false; error: unknown; sandbox: CountingSandbox };

/** One deploy with a new sandbox on `host` (grant = capabilities()); never throws for a failed deploy. */
export async function deployOnce(
  connector: Connector,
  host: Host,
  dep: Deployment,
  opts: { signal?: AbortSignal; wrap?: (inner: S.Sandbox) => S.Sandbox } = {},
): Promise<Outcome> {
  const checked = createSandbox({ grant: connector.capabilities(), host });
  const sandbox = new CountingSandbox(opts.wrap ? opts.wrap(checked) : checked);
  try {
    return { ok: true, result: await connector.deploy(opts.signal ?? new AbortController().signal, sandbox, dep, { ownerId: 'test/haproxy' }), sandbox };
  } catch (error) {
    return { ok: false, error, sandbox };
  } finally {
    await checked.close();
  }
}

/** Deploys and throws the connector's error when it failed. */
export async function mustDeploy(connector: Connector, host: Host, dep: Deployment): Promise<DeployResult & { sandbox: CountingSandbox }> {
  const o = await deployOnce(connector, host, dep);
  if (!o.ok) throw new Error(`deploy failed: ${(o.error as Error).message}`, { cause: o.error });
  return { ...o.result, sandbox: o.sandbox };
}

/** The leaf fingerprint HAProxy serves now (fresh handshake). */
export async function servedLeaf(server: HaproxyServer): Promise<string | undefined> {
  return (await server.served()).fingerprints[0];
}

export const fileText = (server: HaproxyServer): Promise<string> => readFile(server.certificatePath, 'utf8');

/** A Sandbox that forwards everything to `inner`, letting a test rewrite what `send` carries. */
export class TamperingSandbox implements S.Sandbox {
  readonly #inner: S.Sandbox;
  readonly #rewrite: (address: string, data: string) => string | Promise<string>;
  constructor(inner: S.Sandbox, rewrite: (address: string, data: string) => string | Promise<string>) {
    this.#inner = inner;
    this.#rewrite = rewrite;
  }
  get grant() {
    return this.#inner.grant;
  }
  readFile(path: string, opts?: { signal?: AbortSignal }) {
    return this.#inner.readFile(path, opts);
  }
  writeFile(path: string, data: Uint8Array | string, opts?: S.FileWriteOptions) {
    return this.#inner.writeFile(path, data, opts);
  }
  restoreFile(write: S.FileWrite, opts?: { signal?: AbortSignal }) {
    return this.#inner.restoreFile(write, opts);
  }
  writeFileSet(files: readonly S.FileSetEntry[], opts?: Omit<S.FileWriteOptions, 'mode'>) {
    return this.#inner.writeFileSet(files, opts);
  }
  restoreFileSet(write: S.FileSetWrite, opts?: { signal?: AbortSignal }) {
    return this.#inner.restoreFileSet(write, opts);
  }
  exec(argv: readonly string[], opts?: S.ExecOptions) {
    return this.#inner.exec(argv, opts);
  }
  request(req: S.HttpRequest) {
    return this.#inner.request(req);
  }
  async send(address: string, data: Uint8Array | string, opts?: S.SocketSendOptions) {
    const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
    return this.#inner.send(address, await this.#rewrite(address, text), opts);
  }
  tlsProbe(opts: S.TlsProbeOptions) {
    return this.#inner.tlsProbe(opts);
  }
}

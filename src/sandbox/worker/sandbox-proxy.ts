/**
 * The Sandbox a connector sees inside a worker: every method is a request to the parent, which
 * checks the grant and performs it. Nothing here can widen what the connector may do: the
 * worker has no file, network, process or thread access of its own (Node's permission model),
 * and the parent decides each request. Results are validated before the connector sees them.
 */
import type * as S from '@cert-deployer/connector-sdk/sandbox';
import type { Grant } from '@cert-deployer/connector-sdk/sandbox';
import type { SandboxMethod } from './protocol.ts';
import { sandboxResults } from './sandbox-wire.ts';

/** Sends one request and settles with the parent's answer; `signal` (if any) cancels it. */
export type SandboxRequester = (method: SandboxMethod, args: readonly unknown[], signal: AbortSignal | undefined) => Promise<unknown>;

/** Drops `signal` (it cannot cross) and undefined fields, keeping plain data only. */
function plain<T extends object>(opts: T | undefined): Omit<T, 'signal'> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(opts ?? {})) if (k !== 'signal' && v !== undefined) out[k] = v;
  return out as Omit<T, 'signal'>;
}

export class SandboxProxy implements S.Sandbox {
  readonly grant: Grant;
  readonly #send: SandboxRequester;

  constructor(grant: Grant, send: SandboxRequester) {
    this.grant = Object.freeze(grant);
    this.#send = send;
  }

  async readFile(path: string, opts?: { signal?: AbortSignal }): Promise<Uint8Array | null> {
    return sandboxResults.readFile.parse(await this.#send('readFile', [path], opts?.signal));
  }

  async writeFile(path: string, data: Uint8Array | string, opts?: S.FileWriteOptions): Promise<S.FileWrite> {
    return sandboxResults.writeFile.parse(await this.#send('writeFile', [path, data, plain(opts)], opts?.signal));
  }

  async restoreFile(write: S.FileWrite, opts?: { signal?: AbortSignal }): Promise<void> {
    sandboxResults.restoreFile.parse(await this.#send('restoreFile', [plain(write)], opts?.signal));
  }

  async writeFileSet(files: readonly S.FileSetEntry[], opts?: Omit<S.FileWriteOptions, 'mode'>): Promise<S.FileSetWrite> {
    return sandboxResults.writeFileSet.parse(await this.#send('writeFileSet', [files.map((f) => plain(f)), plain(opts)], opts?.signal));
  }

  async restoreFileSet(write: S.FileSetWrite, opts?: { signal?: AbortSignal }): Promise<void> {
    sandboxResults.restoreFileSet.parse(await this.#send('restoreFileSet', [plain(write)], opts?.signal));
  }

  async exec(argv: readonly string[], opts?: S.ExecOptions): Promise<S.ExecResult> {
    return sandboxResults.exec.parse(await this.#send('exec', [[...argv], plain(opts)], opts?.signal));
  }

  async request(req: S.HttpRequest): Promise<S.HttpResponse> {
    return sandboxResults.request.parse(await this.#send('request', [plain(req)], req.signal));
  }

  async send(address: string, data: Uint8Array | string, opts?: S.SocketSendOptions): Promise<Uint8Array> {
    return sandboxResults.send.parse(await this.#send('send', [address, data, plain(opts)], opts?.signal));
  }

  async tlsProbe(opts: S.TlsProbeOptions): Promise<S.TlsProbeResult> {
    return sandboxResults.tlsProbe.parse(await this.#send('tlsProbe', [plain(opts)], opts.signal));
  }
}

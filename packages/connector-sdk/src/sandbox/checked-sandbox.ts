/**
 * The checked sandbox: the only door a connector has to files, commands and the network. Each
 * operation first resolves its subject to a canonical form on the host (real paths, canonical
 * addresses) and compares that with the effective grant, throwing DeniedError when it falls
 * outside; only then does it call the Host. Messages carry paths, argv and addresses, never
 * file contents or payloads.
 */
import { fsErrorCode, HostFsError } from './host/fs-error.ts';
import type { Dispatcher } from 'undici';
import { findExecRule, describeArgv, pathCandidates } from './check/argv-check.ts';
import { canonicalizeForRead, canonicalizeRoots } from './check/canonical-path.ts';
import { CheckedFiles, toBytes } from './checked-files.ts';
import { connectHost, formatDialAddress, isDialAllowed, parseDialAddress, sniName } from './check/host-check.ts';
import { isPathWithinAny } from './check/path-check.ts';
import { realClock, type Clock } from '../core/clock.ts';
import { effectiveGrant, intersectRoots } from './effective-grant.ts';
import { CertDeployerError, DeniedError, ErrorCode } from './errors.ts';
import type { Grant, Policy } from './grant.ts';
import type { Host } from './host/host.ts';
import { isAbsoluteProgram } from './host/exec-environment.ts';
import { Deadline, timeoutOr } from './net/deadline.ts';
import { createGrantedDispatcher } from './net/granted-dispatcher.ts';
import { performRequest } from './net/http-request.ts';
import { connectTcp, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_SEND_TIMEOUT_MS, exchange } from './net/socket-send.ts';
import { DEFAULT_TLS_PROBE_TIMEOUT_MS, probeTls } from './net/tls-probe.ts';
import type * as S from './sandbox.ts';

export interface CreateSandboxOptions {
  /** The connector's declared grant (or an already effective one when `policy` is omitted). */
  readonly grant: Grant;
  /** Operator policy; when given, the sandbox enforces `effectiveGrant(grant, policy)`. */
  readonly policy?: Policy;
  /** Where files and commands live. The caller owns it (the sandbox never closes it). */
  readonly host: Host;
  /** Time source for network deadlines. */
  readonly clock?: Clock;
}

/** A Sandbox that also owns HTTP connection pools, released by `close()`. */
export interface CheckedSandbox extends S.Sandbox {
  close(): Promise<void>;
}

/** Grant roots and unix sockets resolved on the host once per sandbox. */
interface CanonicalGrant {
  readonly read: readonly string[];
  readonly write: readonly string[];
  readonly unix: ReadonlySet<string>;
}

class Checked implements CheckedSandbox {
  readonly grant: Grant;
  readonly #host: Host;
  readonly #declared: Grant;
  readonly #policy: Policy | undefined;
  readonly #files: CheckedFiles;
  readonly #clock: Clock;
  readonly #dispatchers = new Map<string, Dispatcher>();
  #canonical: Promise<CanonicalGrant> | undefined;

  constructor(opts: CreateSandboxOptions) {
    this.grant = Object.freeze(effectiveGrant(opts.grant, opts.policy));
    this.#declared = opts.grant;
    this.#policy = opts.policy;
    this.#host = opts.host;
    this.#files = new CheckedFiles(opts.host, () => this.#resolved());
    this.#clock = opts.clock ?? realClock;
  }

  readFile(path: string, opts: { signal?: AbortSignal } = {}): Promise<Uint8Array | null> {
    return this.#files.readFile(path, opts.signal);
  }

  writeFile(path: string, data: Uint8Array | string, opts: S.FileWriteOptions = {}): Promise<S.FileWrite> {
    return this.#files.writeFile(path, data, opts);
  }

  restoreFile(write: S.FileWrite, opts: { signal?: AbortSignal } = {}): Promise<void> {
    return this.#files.restoreFile(write, opts.signal);
  }

  writeFileSet(files: readonly S.FileSetEntry[], opts: Omit<S.FileWriteOptions, 'mode'> = {}): Promise<S.FileSetWrite> {
    return this.#files.writeFileSet(files, opts);
  }

  restoreFileSet(write: S.FileSetWrite, opts: { signal?: AbortSignal } = {}): Promise<void> {
    return this.#files.restoreFileSet(write, opts.signal);
  }

  async exec(argv: readonly string[], opts: S.ExecOptions = {}): Promise<S.ExecResult> {
    const subject = Array.isArray(argv) ? describeArgv(argv) : String(argv);
    if (!Array.isArray(argv) || argv.length === 0 || !argv.every((a) => typeof a === 'string')) {
      throw new DeniedError('exec', subject, 'argv must be a non-empty array of strings');
    }
    if (!isAbsoluteProgram(argv[0])) throw new DeniedError('exec', subject, 'the program (argv[0]) must be an absolute path; nothing is looked up in a PATH');
    const grant = await this.#resolved();
    const roots = [...grant.read, ...grant.write];
    const allowedPaths = new Set<string>();
    for (const candidate of pathCandidates(this.grant.exec, argv)) {
      const c = await canonicalizeForRead(this.#host, candidate, opts.signal);
      if (c.ok && isPathWithinAny(roots, c.path)) allowedPaths.add(candidate);
    }
    const rule = findExecRule(this.grant.exec, argv, { isPathAllowed: (arg) => allowedPaths.has(arg) });
    if (rule === undefined) throw new DeniedError('exec', subject, 'no exec rule matches this argv exactly');
    return this.#host.exec(argv, opts);
  }

  async request(req: S.HttpRequest): Promise<S.HttpResponse> {
    const key = req.ca ?? '';
    let dispatcher = this.#dispatchers.get(key);
    if (dispatcher === undefined) {
      dispatcher = createGrantedDispatcher(this.grant, req.ca === undefined ? {} : { ca: req.ca });
      this.#dispatchers.set(key, dispatcher);
    }
    return performRequest(dispatcher, req, this.#clock);
  }

  async send(address: string, data: Uint8Array | string, opts: S.SocketSendOptions = {}): Promise<Uint8Array> {
    const parsed = parseDialAddress(address);
    if (!parsed.ok) throw new DeniedError('net.dial', String(address), parsed.reason);
    const target = parsed.address;
    const bytes = toBytes(data, formatDialAddress(target));
    const label = formatDialAddress(target);
    const deadline = new Deadline(this.#clock, timeoutOr(opts.timeoutMs, DEFAULT_SEND_TIMEOUT_MS), `send to ${label}`, opts.signal);
    try {
      let stream;
      if (target.kind === 'unix') {
        const real = await this.#dialableUnix(target.path, label, deadline.signal);
        stream = await this.#host.connectUnix(real, deadline.signal);
      } else {
        if (!isDialAllowed(this.grant.dial, label)) throw new DeniedError('net.dial', label, 'not in the dial grant');
        stream = await connectTcp(connectHost(target), target.port, deadline.signal);
      }
      const max = opts.maxResponseBytes !== undefined && opts.maxResponseBytes >= 0 ? Math.floor(opts.maxResponseBytes) : DEFAULT_MAX_RESPONSE_BYTES;
      return await exchange(stream, bytes, max, deadline.signal);
    } catch (err) {
      throw this.#networkError(err, deadline, label, opts.signal);
    } finally {
      deadline.dispose();
    }
  }

  async tlsProbe(opts: S.TlsProbeOptions): Promise<S.TlsProbeResult> {
    const parsed = parseDialAddress(opts.address);
    if (!parsed.ok) throw new DeniedError('net.dial', String(opts.address), parsed.reason);
    const target = parsed.address;
    const label = formatDialAddress(target);
    if (target.kind !== 'tcp') throw new DeniedError('net.dial', label, 'a TLS probe needs a host:port address');
    if (!isDialAllowed(this.grant.dial, label)) throw new DeniedError('net.dial', label, 'not in the dial grant');
    const serverName = sniName(opts.serverName, target);
    if (serverName === null) throw new CertDeployerError(ErrorCode.Connector, `serverName ${JSON.stringify(opts.serverName)} is not a DNS name`);
    const ms = timeoutOr(opts.timeoutMs, DEFAULT_TLS_PROBE_TIMEOUT_MS);
    const deadline = new Deadline(this.#clock, ms, `TLS probe of ${label}`, opts.signal);
    try {
      return await probeTls({ host: connectHost(target), port: target.port, serverName, label }, deadline.signal);
    } catch (err) {
      throw this.#networkError(err, deadline, label, opts.signal);
    } finally {
      deadline.dispose();
    }
  }

  async close(): Promise<void> {
    const all = [...this.#dispatchers.values()];
    this.#dispatchers.clear();
    await Promise.all(all.map((d) => d.close()));
  }

  #resolved(): Promise<CanonicalGrant> {
    this.#canonical ??= this.#resolveGrant().catch((err: unknown) => {
      this.#canonical = undefined;
      throw err;
    });
    return this.#canonical;
  }

  async #resolveGrant(): Promise<CanonicalGrant> {
    const host = this.#host;
    const sockets: string[] = [];
    for (const entry of this.grant.dial) {
      const p = parseDialAddress(entry);
      if (p.ok && p.address.kind === 'unix') sockets.push(p.address.path);
    }
    // Declared roots and policy roots are canonicalised on the host BEFORE they are
    // intersected: intersecting the text first let `ROOT/d` (d a symlink to /elsewhere) pass
    // a policy root ROOT and then resolve to /elsewhere.
    const pathRoots = this.#policy?.pathRoots;
    const [read, write, policyRoots, unix] = await Promise.all([
      canonicalizeRoots(host, this.#declared.read),
      canonicalizeRoots(host, this.#declared.write),
      pathRoots === undefined ? undefined : canonicalizeRoots(host, pathRoots),
      canonicalizeRoots(host, sockets),
    ]);
    return { read: intersectRoots(read, policyRoots), write: intersectRoots(write, policyRoots), unix: new Set(unix) };
  }

  async #dialableUnix(path: string, label: string, signal: AbortSignal): Promise<string> {
    const c = await canonicalizeForRead(this.#host, path, signal);
    const grant = await this.#resolved();
    if (!c.ok || !grant.unix.has(c.path)) throw new DeniedError('net.dial', label, 'not in the dial grant');
    return c.path;
  }

  #networkError(err: unknown, deadline: Deadline, label: string, caller?: AbortSignal): unknown {
    // A remote host's refused socket (HostFsError ECONNREFUSED) is a dial failure like a local one.
    if (err instanceof CertDeployerError && !(err instanceof HostFsError)) return err;
    if (deadline.timedOut) return deadline.reason();
    if (caller?.aborted === true) return caller.reason;
    const code = fsErrorCode(err);
    const detail = typeof code === 'string' ? code : err instanceof Error ? err.name : 'error';
    return new CertDeployerError(ErrorCode.Unreachable, `${label} unreachable: ${detail}`, { retryable: true, cause: err });
  }
}

/** Builds a sandbox that enforces `effectiveGrant(grant, policy)` on `host`. */
export function createSandbox(opts: CreateSandboxOptions): CheckedSandbox {
  return new Checked(opts);
}

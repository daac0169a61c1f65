/**
 * A Sandbox decorator that records what a connector asked for, so a case can assert "zero
 * writes, zero execs, zero mutating requests" on a replay, and can react to a call (abort
 * while the reload runs). It forwards every call unchanged; checks stay in the real sandbox.
 */
import type * as S from '../sandbox/sandbox.ts';

/** Methods that are not mutating when a request uses them. */
const SAFE_METHODS = new Set(['GET', 'HEAD']);

export interface CallCount {
  /** Calls made (including ones the sandbox then refused or that failed). */
  attempted: number;
  /** Calls that resolved. */
  completed: number;
}

export interface SandboxCalls {
  readonly readFile: CallCount;
  readonly writeFile: CallCount;
  readonly restoreFile: CallCount;
  readonly exec: CallCount;
  readonly request: CallCount;
  /** Requests whose method is not GET or HEAD. */
  readonly mutatingRequest: CallCount;
  readonly send: CallCount;
  readonly tlsProbe: CallCount;
  /** Every argv passed to exec, and every request URL and header value: surfaces for leak checks. */
  readonly visible: string[];
}

export interface CountingHooks {
  /** Called synchronously when the connector calls exec, before the sandbox runs it. */
  readonly onExec?: (argv: readonly string[]) => void;
}

const count = (): CallCount => ({ attempted: 0, completed: 0 });

/** Wraps `inner`; `calls` fills in as the connector works. */
export class CountingSandbox implements S.Sandbox {
  readonly calls: SandboxCalls = {
    readFile: count(),
    writeFile: count(),
    restoreFile: count(),
    exec: count(),
    request: count(),
    mutatingRequest: count(),
    send: count(),
    tlsProbe: count(),
    visible: [],
  };
  /** Paths of every write attempted (each path of an atomic set), in order: what a plan is compared with. */
  readonly writtenPaths: string[] = [];
  /** Every argv passed to exec, in order. */
  readonly execArgvs: string[][] = [];
  readonly #inner: S.Sandbox;
  readonly #hooks: CountingHooks;

  constructor(inner: S.Sandbox, hooks: CountingHooks = {}) {
    this.#inner = inner;
    this.#hooks = hooks;
  }

  get grant() {
    return this.#inner.grant;
  }

  /** Total completed writes, restores, execs and mutating requests: what a replay must keep at 0. */
  get effects(): number {
    const c = this.calls;
    return c.writeFile.completed + c.restoreFile.completed + c.exec.completed + c.mutatingRequest.completed;
  }

  /** Same as `effects`, counting attempts. */
  get attemptedEffects(): number {
    const c = this.calls;
    return c.writeFile.attempted + c.restoreFile.attempted + c.exec.attempted + c.mutatingRequest.attempted;
  }

  async #track<T>(counters: readonly CallCount[], run: () => Promise<T>): Promise<T> {
    for (const c of counters) c.attempted++;
    const value = await run();
    for (const c of counters) c.completed++;
    return value;
  }

  readFile(path: string, opts?: { signal?: AbortSignal }): Promise<Uint8Array | null> {
    return this.#track([this.calls.readFile], () => this.#inner.readFile(path, opts));
  }

  writeFile(path: string, data: Uint8Array | string, opts?: S.FileWriteOptions): Promise<S.FileWrite> {
    this.writtenPaths.push(String(path));
    return this.#track([this.calls.writeFile], () => this.#inner.writeFile(path, data, opts));
  }

  restoreFile(write: S.FileWrite, opts?: { signal?: AbortSignal }): Promise<void> {
    return this.#track([this.calls.restoreFile], () => this.#inner.restoreFile(write, opts));
  }

  /** An atomic set counts as one file write (one effect), its restore as one restore. */
  writeFileSet(files: readonly S.FileSetEntry[], opts?: Omit<S.FileWriteOptions, 'mode'>): Promise<S.FileSetWrite> {
    if (Array.isArray(files)) this.writtenPaths.push(...files.map((f) => String(f.path)));
    return this.#track([this.calls.writeFile], () => this.#inner.writeFileSet(files, opts));
  }

  restoreFileSet(write: S.FileSetWrite, opts?: { signal?: AbortSignal }): Promise<void> {
    return this.#track([this.calls.restoreFile], () => this.#inner.restoreFileSet(write, opts));
  }

  exec(argv: readonly string[], opts?: S.ExecOptions): Promise<S.ExecResult> {
    if (Array.isArray(argv)) {
      this.calls.visible.push(argv.map(String).join(' '));
      this.execArgvs.push(argv.map(String));
    }
    this.#hooks.onExec?.(argv);
    return this.#track([this.calls.exec], () => this.#inner.exec(argv, opts));
  }

  request(req: S.HttpRequest): Promise<S.HttpResponse> {
    this.calls.visible.push(String(req.url), ...Object.values(req.headers ?? {}).map(String));
    const mutating = !SAFE_METHODS.has((req.method ?? 'GET').toUpperCase());
    return this.#track(mutating ? [this.calls.request, this.calls.mutatingRequest] : [this.calls.request], () => this.#inner.request(req));
  }

  send(address: string, data: Uint8Array | string, opts?: S.SocketSendOptions): Promise<Uint8Array> {
    return this.#track([this.calls.send], () => this.#inner.send(address, data, opts));
  }

  tlsProbe(opts: S.TlsProbeOptions): Promise<S.TlsProbeResult> {
    return this.#track([this.calls.tlsProbe], () => this.#inner.tlsProbe(opts));
  }
}

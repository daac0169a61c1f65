/**
 * One confined worker process, seen from the operator: started with Node's permission model
 * (see permission-flags.ts), an empty environment and only stdio + the IPC channel as file
 * descriptors. It runs calls one at a time; while a call runs, the parent serves the worker's
 * Sandbox requests on the call's checked sandbox, watches the worker's resident memory, and
 * turns every way a worker can fail — exit, crash, out of memory, hang, protocol violation —
 * into a {@link WorkerError} with a stable code. Nothing the worker does can throw in here.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { ErrorCode } from '@cert-deployer/connector-sdk';
import type { Grant, Sandbox } from '@cert-deployer/connector-sdk/sandbox';
import { describeMessage, PROTOCOL_VERSION, toParentSchema, type Outcome, type ToParent, type ToWorker, type WireGrant } from './protocol.ts';
import { performSandboxRequest } from './sandbox-wire.ts';
import { fromWireError, toWireError, WorkerError } from './worker-errors.ts';

export interface ConfinedChildOptions {
  /** Absolute path of the worker's entry module. */
  readonly entry: string;
  readonly args: readonly string[];
  /** Node flags: the permission model, heap limit, preloads (permission-flags.ts). */
  readonly execArgv: readonly string[];
  /** Resident-memory limit; the worker is killed above it (Buffers live outside the V8 heap). */
  readonly maxRssBytes: number;
  /** After a cancelled call, how long the connector gets to clean up before the worker is killed. */
  readonly abortGraceMs: number;
  /** Trace hook: one line per message (kinds, ids, methods; never payloads). */
  readonly trace?: ((line: string) => void) | undefined;
}

/** Last bytes of the worker's stderr, kept only to tell an out-of-memory death from a crash. */
const STDERR_TAIL = 4096;
const OOM = /heap out of memory|Reached heap limit|Allocation failed/i;
const RSS_POLL_MS = 100;

export class ConfinedChild {
  readonly #proc: ChildProcess;
  readonly #opts: ConfinedChildOptions;
  readonly #ready: Promise<void>;
  readonly #exited: Promise<void>;
  #stderr = '';
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  #killedFor: 'memory' | 'timeout' | 'protocol' | undefined;
  #calls = 0;
  #onMessage: ((m: ToParent) => void) | undefined;
  #onExit: (() => void) | undefined;

  constructor(opts: ConfinedChildOptions) {
    this.#opts = opts;
    this.#proc = fork(opts.entry, [...opts.args], {
      execArgv: [...opts.execArgv],
      env: {},
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.#proc.stderr?.setEncoding('utf8');
    this.#proc.stderr?.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-STDERR_TAIL);
    });
    this.#exited = new Promise((resolve) => {
      this.#proc.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        this.#onExit?.();
        resolve();
      });
    });
    this.#proc.on('error', () => undefined);
    this.#ready = new Promise<void>((resolve, reject) => {
      this.#onExit = () => reject(this.#startFailure());
      this.#onMessage = (m) => {
        if (m.t === 'ready') resolve();
      };
    });
    this.#ready.catch(() => undefined);
    this.#proc.on('message', (raw: unknown) => {
      const parsed = toParentSchema.safeParse(raw);
      if (!parsed.success) {
        this.#kill('protocol');
        return;
      }
      this.#opts.trace?.(describeMessage('←', parsed.data));
      this.#onMessage?.(parsed.data);
    });
  }

  get pid(): number | undefined {
    return this.#proc.pid;
  }

  /** Calls run so far. */
  get calls(): number {
    return this.#calls;
  }

  get alive(): boolean {
    return this.#exit === undefined && this.#killedFor === undefined;
  }

  /** Resolves when the worker loaded its connectors; rejects when it died first or `signal` aborts. */
  ready(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.#ready.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /** Resident set size of the worker in bytes (Linux /proc), or undefined when it is gone. */
  async rssBytes(): Promise<number | undefined> {
    if (this.#proc.pid === undefined || !this.alive) return undefined;
    try {
      const status = await readFile(`/proc/${this.#proc.pid}/status`, 'utf8');
      const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
      return kb === undefined ? undefined : Number(kb) * 1024;
    } catch {
      return undefined;
    }
  }

  /**
   * Runs one call: sends `payload`, performs the worker's Sandbox requests on `sandbox` (which
   * enforces `sandbox.grant`), and settles with the worker's result or a WorkerError.
   */
  run(payload: unknown, sandbox: Sandbox, signal: AbortSignal): Promise<unknown> {
    const id = this.#calls++;
    const requests = new Map<number, AbortController>();
    return new Promise<unknown>((resolve, reject) => {
      let settled = false;
      let grace: NodeJS.Timeout | undefined;
      const poll = setInterval(() => {
        void this.rssBytes().then((rss) => {
          if (rss !== undefined && rss > this.#opts.maxRssBytes) this.#kill('memory');
        });
      }, RSS_POLL_MS);
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearInterval(poll);
        clearTimeout(grace);
        signal.removeEventListener('abort', onAbort);
        for (const ctl of requests.values()) ctl.abort(new Error('the call ended'));
        requests.clear();
        this.#onMessage = undefined;
        this.#onExit = undefined;
        fn();
      };
      const onAbort = (): void => {
        this.#post({ v: PROTOCOL_VERSION, t: 'abort', id });
        grace = setTimeout(() => this.#kill('timeout'), this.#opts.abortGraceMs);
      };
      this.#onExit = () => finish(() => reject(this.#callFailure(signal)));
      this.#onMessage = (m) => {
        if (m.t === 'done' && m.id === id) {
          finish(() => (m.outcome.ok ? resolve(m.outcome.value) : reject(fromWireError(m.outcome.error))));
        } else if (m.t === 'sandbox' && m.call === id) {
          const ctl = new AbortController();
          requests.set(m.id, ctl);
          performSandboxRequest(sandbox, m.method, m.args, ctl.signal).then(
            (value): Outcome => ({ ok: true, value }),
            (err: unknown): Outcome => ({ ok: false, error: toWireError(err) }),
          ).then((outcome) => {
            if (settled || !requests.delete(m.id)) return;
            this.#post({ v: PROTOCOL_VERSION, t: 'reply', id: m.id, outcome });
          });
        } else if (m.t === 'cancel') {
          requests.get(m.id)?.abort(new Error('cancelled by the connector'));
          requests.delete(m.id);
        } else {
          this.#kill('protocol');
        }
      };
      if (!this.alive) {
        finish(() => reject(this.#callFailure(signal)));
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      this.#post({ v: PROTOCOL_VERSION, t: 'call', id, grant: plainGrant(sandbox.grant), aborted: signal.aborted, payload });
      if (signal.aborted) onAbort();
    });
  }

  /** Stops the worker (SIGKILL: a worker holds no state worth a graceful stop) and waits for its exit. */
  async close(): Promise<void> {
    if (this.#exit === undefined) this.#proc.kill('SIGKILL');
    await this.#exited;
  }

  #post(m: ToWorker): void {
    if (this.#exit !== undefined || !this.#proc.connected) return;
    this.#opts.trace?.(describeMessage('→', m));
    try {
      this.#proc.send(m);
    } catch {
      this.#kill('protocol');
    }
  }

  #kill(why: 'memory' | 'timeout' | 'protocol'): void {
    this.#killedFor ??= why;
    if (this.#exit === undefined) this.#proc.kill('SIGKILL');
  }

  /** Why the worker died before it was ready. Its stderr holds module-loading errors only (no call ran yet). */
  #startFailure(): WorkerError {
    const lines = this.#stderr.split('\n').map((l) => l.trim()).filter(Boolean);
    const why = (lines.find((l) => /^(\w*Error\b|Error \[)/.test(l)) ?? lines.at(-1) ?? '').slice(0, 600);
    return new WorkerError(ErrorCode.WorkerCrashed, `connector worker failed to start (${describeExit(this.#exit)})${why ? `: ${why}` : ''}`, { retryable: true });
  }

  /**
   * Why the worker died during a call. Its stderr is never quoted: a connector that held key
   * material may have printed it there. Only the out-of-memory pattern is looked for.
   */
  #callFailure(signal: AbortSignal): WorkerError {
    if (this.#killedFor === 'memory') return new WorkerError(ErrorCode.WorkerMemory, `connector worker stopped: its resident memory went over ${Math.round(this.#opts.maxRssBytes / 2 ** 20)} MiB`, { retryable: true });
    if (OOM.test(this.#stderr)) return new WorkerError(ErrorCode.WorkerMemory, 'connector worker ran out of memory (V8 heap limit) and died', { retryable: true });
    if (this.#killedFor === 'timeout') {
      const why = signal.reason instanceof Error ? signal.reason.message : 'cancelled';
      return new WorkerError(ErrorCode.WorkerTimeout, `connector worker killed: the call was cancelled (${why}) and did not stop within ${this.#opts.abortGraceMs} ms`, { retryable: true });
    }
    if (this.#killedFor === 'protocol') return new WorkerError(ErrorCode.WorkerProtocol, `connector worker killed: it sent a message outside IPC protocol version ${PROTOCOL_VERSION}`, { retryable: true });
    return new WorkerError(ErrorCode.WorkerCrashed, `connector worker died during the call (${describeExit(this.#exit)})`, { retryable: true });
  }
}

function describeExit(exit: { code: number | null; signal: NodeJS.Signals | null } | undefined): string {
  if (exit === undefined) return 'not started';
  return exit.signal !== null ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

/** The grant as plain arrays (a frozen or class-backed grant clones the same way). */
function plainGrant(g: Grant): WireGrant {
  return { read: [...g.read], write: [...g.write], dial: [...g.dial], exec: g.exec.map((r) => ({ argv: r.argv.map((a) => (typeof a === 'string' ? a : { ...a })) })) };
}

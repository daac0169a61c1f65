/**
 * The worker's end of the channel: announces `ready`, takes calls one at a time, hands the
 * handler a {@link SandboxProxy} whose every method is a request to the parent, and reports
 * each call's outcome. Any message that does not match the protocol ends the worker: a parent
 * speaking another version is a deployment error, not something to guess around.
 */
import type { Sandbox } from '@cert-deployer/connector-sdk/sandbox';
import { PROTOCOL_VERSION, toWorkerSchema, type Outcome, type SandboxMethod, type ToParent } from './protocol.ts';
import { SandboxProxy } from './sandbox-proxy.ts';
import { fromWireError, toWireError } from './worker-errors.ts';

/** Runs one call: the connector-aware side decodes `payload` and encodes the result. */
export type CallHandler = (payload: unknown, sandbox: Sandbox, signal: AbortSignal) => Promise<unknown>;

interface Pending {
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/** Serves calls on this process's IPC channel until the parent disconnects. */
export function serveCalls(handler: CallHandler): void {
  const send = (m: ToParent): void => {
    process.send?.(m);
  };
  const calls = new Map<number, AbortController>();
  const pending = new Map<number, Pending>();
  let nextRequest = 0;

  process.on('message', (raw: unknown) => {
    const parsed = toWorkerSchema.safeParse(raw);
    if (!parsed.success) {
      process.exitCode = 3;
      process.disconnect?.();
      return;
    }
    const m = parsed.data;
    if (m.t === 'reply') {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (p && m.outcome.ok) p.resolve(m.outcome.value);
      else if (p && !m.outcome.ok) p.reject(fromWireError(m.outcome.error));
    } else if (m.t === 'abort') {
      calls.get(m.id)?.abort(new Error('the operator cancelled this call'));
    } else {
      const ctl = new AbortController();
      if (m.aborted) ctl.abort(new Error('the operator cancelled this call before it started'));
      calls.set(m.id, ctl);
      const request = (method: SandboxMethod, args: readonly unknown[], signal: AbortSignal | undefined): Promise<unknown> => {
        if (signal?.aborted) return Promise.reject(signal.reason);
        const id = nextRequest++;
        return new Promise((resolve, reject) => {
          const onAbort = (): void => {
            pending.delete(id);
            send({ v: PROTOCOL_VERSION, t: 'cancel', id });
            reject(signal!.reason);
          };
          signal?.addEventListener('abort', onAbort, { once: true });
          pending.set(id, {
            resolve: (v) => { signal?.removeEventListener('abort', onAbort); resolve(v); },
            reject: (e) => { signal?.removeEventListener('abort', onAbort); reject(e); },
          });
          send({ v: PROTOCOL_VERSION, t: 'sandbox', id, call: m.id, method, args: [...args] });
        });
      };
      const sandbox = new SandboxProxy(m.grant, request);
      handler(m.payload, sandbox, ctl.signal).then(
        (value): Outcome => ({ ok: true, value }),
        (err: unknown): Outcome => ({ ok: false, error: toWireError(err) }),
      ).then((outcome) => {
        calls.delete(m.id);
        try {
          send({ v: PROTOCOL_VERSION, t: 'done', id: m.id, outcome });
        } catch (err) {
          // A result that cannot be cloned (a function, a class the channel refuses) is the call's error.
          send({ v: PROTOCOL_VERSION, t: 'done', id: m.id, outcome: { ok: false, error: toWireError(err) } });
        }
      });
    }
  });
  process.on('disconnect', () => process.exit(process.exitCode ?? 0));
  send({ v: PROTOCOL_VERSION, t: 'ready' });
}

/**
 * Errors of the confined connector runtime, and how any error crosses the IPC channel. Each
 * failure of a worker (not of the connector's own logic) has a stable code so status, Events
 * and alerts can tell "the connector tried to open a socket" from "the worker ran out of
 * memory" without parsing text; every one of them but `Confined` is retryable, because a fresh
 * worker may well succeed.
 */
import { CertDeployerError, ErrorCode, hasCode } from '@cert-deployer/connector-sdk';
import type { WireError } from './protocol.ts';

/** A worker-level failure: confinement refusal, crash, memory, deadline or protocol violation. */
export class WorkerError extends CertDeployerError {
  constructor(code: ErrorCode, message: string, opts: { retryable?: boolean; cause?: unknown } = {}) {
    super(code, message, opts);
    this.name = 'WorkerError';
  }
}

/** Node's permission model refusal (`ERR_ACCESS_DENIED`), found on an error or its causes. */
export function accessDenial(err: unknown): { permission: string; resource: string } | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 6 && typeof e === 'object' && e !== null; depth++) {
    const { code, permission, resource } = e as { code?: unknown; permission?: unknown; resource?: unknown };
    if (code === 'ERR_ACCESS_DENIED') return { permission: typeof permission === 'string' ? permission : 'unknown', resource: typeof resource === 'string' ? resource : '' };
    if (code === ErrorCode.Confined) return { permission: String(permission ?? 'unknown'), resource: String(resource ?? '') };
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Why a confinement refusal is terminal: the connector asked for something no retry will give it. */
export function confinedError(permission: string, resource: string): WorkerError {
  const what = resource === '' ? permission : `${permission} ${JSON.stringify(resource)}`;
  const err = new WorkerError(ErrorCode.Confined, `confined: the connector tried ${what} outside its Sandbox; the worker runtime refuses every file, network, process and thread access that does not go through the Sandbox`, { retryable: false });
  return Object.assign(err, { permission, resource });
}

const MAX_MESSAGE = 4096;

/** Encodes any thrown value for the channel: code, name, message, retryable, and the subject of a denial. */
export function toWireError(err: unknown): WireError {
  const denial = accessDenial(err);
  if (denial && !hasCode(err, ErrorCode.Confined)) return toWireError(confinedError(denial.permission, denial.resource));
  const e = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>;
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v.slice(0, MAX_MESSAGE) : undefined);
  const wire: { -readonly [K in keyof WireError]: WireError[K] } = {
    name: str(e.name) ?? 'Error',
    message: err instanceof Error ? err.message.slice(0, MAX_MESSAGE) : String(err).slice(0, MAX_MESSAGE),
    retryable: err instanceof CertDeployerError ? err.retryable : false,
  };
  if (err instanceof CertDeployerError) wire.code = err.code;
  for (const k of ['capability', 'subject', 'permission', 'resource'] as const) if (str(e[k]) !== undefined) wire[k] = str(e[k]);
  return wire;
}

const CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/**
 * Rebuilds an error from the channel. Project codes come back as branded CertDeployerErrors (so
 * `isDenied`, `instanceof ConnectorError` and the classification work as in-process); anything
 * else is a plain Error with the original name. Messages are whatever the other side said: the
 * controller redacts them before they reach status or Events, exactly as in-process.
 */
export function fromWireError(w: WireError): Error {
  if (w.code !== undefined && CODES.has(w.code)) {
    const err = new CertDeployerError(w.code as ErrorCode, w.message, { retryable: w.retryable });
    err.name = w.name;
    for (const k of ['capability', 'subject', 'permission', 'resource'] as const) if (w[k] !== undefined) Object.assign(err, { [k]: w[k] });
    return err;
  }
  const err = new Error(w.message);
  err.name = w.name;
  return err;
}

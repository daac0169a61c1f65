/**
 * The IPC protocol between the operator and a connector worker, version 1, validated with zod
 * on both sides. The worker's only way out is this channel: it asks the parent to perform
 * Sandbox operations (the parent checks the effective grant and performs them with the same
 * checked sandbox as in-process) and reports the call's outcome. Payloads of calls and results
 * are opaque here (`unknown`): the connector-aware codec (`src/connector-worker`) owns them,
 * so this layer never learns what a connector or a credential is.
 */
import { z } from 'zod';

/** Bumped on any incompatible change; a message of another version is a protocol error. */
export const PROTOCOL_VERSION = 1;

const v = z.literal(PROTOCOL_VERSION);
const id = z.number().int().nonnegative();

/** An error as it crosses the channel. Never carries a stack, a cause chain or payloads. */
export const wireErrorSchema = z.object({
  name: z.string().max(200),
  message: z.string().max(4096),
  code: z.string().max(100).optional(),
  retryable: z.boolean(),
  capability: z.string().max(4096).optional(),
  subject: z.string().max(4096).optional(),
  permission: z.string().max(4096).optional(),
  resource: z.string().max(4096).optional(),
}).strict();
export type WireError = z.infer<typeof wireErrorSchema>;

const argTemplate = z.union([z.string(), z.object({ placeholder: z.string(), kind: z.enum(['path', 'token']), pattern: z.string().optional() }).strict()]);
/** The effective grant the parent enforces; the worker only reports it as `sandbox.grant`. */
export const grantSchema = z.object({
  read: z.array(z.string()),
  write: z.array(z.string()),
  dial: z.array(z.string()),
  exec: z.array(z.object({ argv: z.array(argTemplate) }).strict()),
}).strict();
export type WireGrant = z.infer<typeof grantSchema>;

/** Outcome of a call or of one Sandbox request. */
export const outcomeSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }).strict(),
  z.object({ ok: z.literal(false), error: wireErrorSchema }).strict(),
]);
export type Outcome = z.infer<typeof outcomeSchema>;

/** Every Sandbox method a worker may ask for: the Sandbox contract, one to one. */
export const SANDBOX_METHODS = ['readFile', 'writeFile', 'restoreFile', 'writeFileSet', 'restoreFileSet', 'exec', 'request', 'send', 'tlsProbe'] as const;
export type SandboxMethod = (typeof SANDBOX_METHODS)[number];

/** Parent → worker. */
export const toWorkerSchema = z.discriminatedUnion('t', [
  /** One connector call; `aborted` when the caller's signal was already aborted. */
  z.object({ v, t: z.literal('call'), id, grant: grantSchema, aborted: z.boolean(), payload: z.unknown() }).strict(),
  /** The caller cancelled call `id`: the connector's signal aborts. */
  z.object({ v, t: z.literal('abort'), id }).strict(),
  /** The answer to Sandbox request `id`. */
  z.object({ v, t: z.literal('reply'), id, outcome: outcomeSchema }).strict(),
]);
export type ToWorker = z.infer<typeof toWorkerSchema>;

/** Worker → parent. */
export const toParentSchema = z.discriminatedUnion('t', [
  /** The worker loaded its connectors and waits for calls. */
  z.object({ v, t: z.literal('ready') }).strict(),
  /** Sandbox request `id` on behalf of call `call`. `args` are checked per method by the parent. */
  z.object({ v, t: z.literal('sandbox'), id, call: id, method: z.enum(SANDBOX_METHODS), args: z.array(z.unknown()).max(3) }).strict(),
  /** The connector's own signal for request `id` aborted. */
  z.object({ v, t: z.literal('cancel'), id }).strict(),
  /** Call `id` finished. */
  z.object({ v, t: z.literal('done'), id, outcome: outcomeSchema }).strict(),
]);
export type ToParent = z.infer<typeof toParentSchema>;

/** One line about a message for traces: kind, ids and method, never arguments, values or errors' payloads. */
export function describeMessage(dir: '→' | '←', m: ToWorker | ToParent): string {
  switch (m.t) {
    case 'call': return `${dir} call #${m.id}`;
    case 'abort': return `${dir} abort #${m.id}`;
    case 'reply': return `${dir} reply #${m.id} ${m.outcome.ok ? 'ok' : `error ${m.outcome.error.code ?? m.outcome.error.name}`}`;
    case 'ready': return `${dir} ready`;
    case 'sandbox': return `${dir} sandbox #${m.id} ${m.method} (call #${m.call})`;
    case 'cancel': return `${dir} cancel #${m.id}`;
    case 'done': return `${dir} done #${m.id} ${m.outcome.ok ? 'ok' : `error ${m.outcome.error.code ?? m.outcome.error.name}`}`;
  }
}

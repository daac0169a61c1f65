/**
 * Plan mode's vocabulary: what a connector's read-only `plan` step says it would do, as plain
 * data small enough for status. A plan names files, commands, requests and remote objects —
 * never bytes — so key material cannot reach status through it: a file write says which
 * material (chain, key, …) goes to which path with which mode, not what the material is.
 *
 * The vocabulary is fixed on purpose: the controller prints it, `kubectl certdeploy status`
 * shows it, and the conformance suite compares it with what `deploy` then does, so every
 * connector speaks the same small language.
 */
import type { Sandbox } from './sandbox/sandbox.ts';
import { sameContent } from './file-plan.ts';
import type { ServerFilesPlan } from './server-files.ts';
import { isDenied } from './sandbox/errors.ts';

/** Which part of the certificate material a file receives. */
export type FileMaterial = 'chain' | 'certificate' | 'ca' | 'privateKey' | 'combined' | 'pfx';

/** One thing a deploy would do. */
export type PlanAction =
  /** Write (atomically replace) one file. */
  | { readonly kind: 'writeFile'; readonly path: string; readonly material: FileMaterial; readonly mode?: number }
  /** Run one exact argv (config test, reload, a PowerShell step). */
  | { readonly kind: 'exec'; readonly argv: readonly string[] }
  /** One mutating HTTP request; `resource` names the remote object it touches when known. */
  | { readonly kind: 'http'; readonly method: string; readonly url: string; readonly resource?: string }
  /** One command over a stream socket (HAProxy Runtime API); `what` is the command, never the payload. */
  | { readonly kind: 'send'; readonly address: string; readonly what: string }
  /** Import the certificate into a remote store: an existing object (its id) or a new one. */
  | { readonly kind: 'import'; readonly into: string; readonly resource?: string }
  /** Something the connector cannot know without doing it, and why: plans say so rather than guess. */
  | { readonly kind: 'unpredictable'; readonly what: string; readonly why: string };

export type PlanActionKind = PlanAction['kind'];

/** What `Connector.plan` returns. `actions` is empty exactly when the target already holds the certificate. */
export interface PlanResult {
  readonly actions: readonly PlanAction[];
  /** One line for status (`write 2 files, run nginx -t, run nginx -s reload`). */
  readonly summary: string;
}

/** The kinds a deploy's sandbox calls fall into, for comparing a plan with what happened. */
export const MUTATING_KINDS: readonly PlanActionKind[] = ['writeFile', 'exec', 'http', 'send', 'import'];

/** Pure: one short phrase per action, for summaries and the kubectl plugin. */
export function describeAction(a: PlanAction): string {
  switch (a.kind) {
    case 'writeFile': return `write ${a.material} to ${a.path}${a.mode === undefined ? '' : ` (mode ${a.mode.toString(8).padStart(4, '0')})`}`;
    case 'exec': return `run ${a.argv.join(' ')}`;
    case 'http': return `${a.method.toUpperCase()} ${a.url}${a.resource ? ` (${a.resource})` : ''}`;
    case 'send': return `send "${a.what}" to ${a.address}`;
    case 'import': return `import into ${a.into}${a.resource ? ` (${a.resource})` : ''}`;
    case 'unpredictable': return `cannot predict ${a.what}: ${a.why}`;
  }
}

/** Pure: the status line of a plan. */
export function summarizePlan(actions: readonly PlanAction[], upToDateNote = 'nothing to do: the target already holds this certificate'): string {
  if (actions.length === 0) return upToDateNote;
  return actions.map(describeAction).join('; ');
}

/** Builds a PlanResult from actions. */
export function planResult(actions: readonly PlanAction[], upToDateNote?: string): PlanResult {
  return { actions, summary: summarizePlan(actions, upToDateNote) };
}

/**
 * Pure: the actions `applyServerFiles` takes for `plan` when the files differ — every file in
 * order (an Atomic set is still one file per path), then the config test, then the reload.
 */
export function serverFilesActions(plan: ServerFilesPlan): PlanAction[] {
  const actions: PlanAction[] = plan.files.map((f) => ({
    kind: 'writeFile', path: f.path, material: f.material ?? 'certificate', ...(f.options.mode === undefined ? {} : { mode: f.options.mode }),
  }));
  if (plan.configTest) actions.push({ kind: 'exec', argv: [...plan.configTest.argv] });
  if (plan.reload) actions.push({ kind: 'exec', argv: [...plan.reload.argv] });
  return actions;
}

/**
 * The read-only twin of `applyServerFiles`: reads the files (the same idempotency check deploy
 * makes) and returns nothing to do when they already hold the planned bytes, else every write
 * and command deploy would make on success. A rollback is not planned: it happens only when a
 * step the plan lists fails.
 */
export async function planServerFiles(signal: AbortSignal, sandbox: Sandbox, plan: ServerFilesPlan): Promise<PlanResult> {
  if (await sameContent(sandbox, plan.files, signal)) return planResult([], `${plan.files.map((f) => f.path).join(', ')} already hold this certificate`);
  return planResult(serverFilesActions(plan));
}

/** What a read in plan mode gave: the value, or why the plan sandbox would not let it run. */
export type PlanRead<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly why: string };

/**
 * Runs a read a plan needs. When the plan sandbox refuses it (an API that reads with a POST,
 * such as AWS `DescribeCertificate` or an OAuth token exchange, under a sandbox that trusts only
 * GET), the plan gets the refusal as data so it can say "unpredictable" instead of failing.
 * Every other error (unreachable, bad credentials) passes through: the plan fails as deploy would.
 */
export async function planRead<T>(read: () => Promise<T>): Promise<PlanRead<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (err) {
    // A client library may wrap the sandbox's refusal; look down the cause chain for it.
    for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
      if (isDenied(e)) return { ok: false, why: `plan mode could not read it: ${e.message}` };
    }
    throw err;
  }
}

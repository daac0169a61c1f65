/**
 * The sequence every server that reads PEM files needs (nginx, apache, and any `file` target
 * with a reload): write the files atomically, let the server check its configuration with the
 * new files in place, tell it to reload, and — when any step fails after the first write —
 * put the previous files back (and reload again if the reload itself ran), so the server keeps
 * serving the previous certificate and a replay is never a false no-op.
 *
 * Idempotent on content: when every file already holds exactly the planned bytes it writes and
 * runs nothing (a replay after a lost status write costs zero writes and zero reloads).
 *
 * Split so the decisions are pure and testable: `commandFailure` (did a command fail, and why,
 * with server output redacted), `rollbackSummary` / `failureMessage` (what the status says);
 * `applyServerFiles` is the only function that does I/O.
 */
import { CertDeployerError } from './core/errors.ts';
import type { ExecResult, FileWrite, Sandbox } from './sandbox/sandbox.ts';
import { retryable, terminal, type ConnectorError } from './connector-error.ts';
import { sameContent, type FileLayout, type PlannedFile } from './file-plan.ts';
import { redactSecrets } from './redact.ts';

/** One command the server is driven with, as an exact argv (no shell), and how long it may run. */
export interface ServerCommand {
  readonly argv: readonly string[];
  readonly timeoutMs: number;
}

/** What to put on the target and how to make the server take it. */
export interface ServerFilesPlan {
  /** Written in order (certificate first, key last) and restored in reverse order. */
  readonly files: readonly PlannedFile[];
  /**
   * `InPlace`: each file renamed into place in turn (a reader may see a new certificate with
   * the old key in between). `Atomic`: all files change with one rename (Sandbox.writeFileSet);
   * they must share one directory.
   */
  readonly layout?: FileLayout | undefined;
  /** Checks the configuration with the new files in place (`nginx -t`); skipped when absent. */
  readonly configTest?: ServerCommand | undefined;
  /** Makes the running server load the files (`nginx -s reload`); skipped when absent. */
  readonly reload?: ServerCommand | undefined;
}

/** The step that refused the new files. */
export type ServerStep = 'config test' | 'reload';

/** Why a command did not succeed: its argv, exit status and redacted output. */
export interface CommandFailure {
  readonly why: string;
  /** A hung command may succeed later (retryable); a non-zero exit rejected the files (terminal). */
  readonly timedOut: boolean;
}

/** What `applyServerFiles` did. */
export interface ServerFilesResult {
  readonly changed: boolean;
  readonly message: string;
}

/** A status message is a summary; long paths and argv are cut rather than flooding status. */
const MAX_MESSAGE_CHARS = 900;
/** Server output kept in a status message: enough for nginx's or apache's own error line. */
const MAX_OUTPUT_CHARS = 600;
/**
 * A whole line of nothing but base64: the tail of a PEM body quoted without its BEGIN line
 * (its last line is often shorter than the 40 characters `redactSecrets` looks for). Server
 * messages are prose with spaces, so nothing of value is lost.
 */
const BASE64_LINE = /^[A-Za-z0-9+/]{8,}={0,2}$/gm;

/**
 * Pure: null when the command succeeded, else why it failed. Server output is redacted before
 * it is shortened, so a cut can never leave a fragment of a key line behind; both streams are
 * kept because servers disagree on where errors go (nginx: stderr, apachectl: both).
 */
export function commandFailure(cmd: ServerCommand, r: ExecResult): CommandFailure | null {
  if (r.exitCode === 0 && !r.timedOut) return null;
  const status = r.timedOut ? `timed out after ${Math.round(cmd.timeoutMs / 1000)}s` : `exited ${r.exitCode ?? r.signal ?? 'abnormally'}`;
  const raw = [r.stderr.trim(), r.stdout.trim()].filter((s) => s !== '').join('\n');
  const output = redactSecrets(raw.replace(BASE64_LINE, '[REDACTED]'));
  const shown = output.length > MAX_OUTPUT_CHARS ? `${output.slice(0, MAX_OUTPUT_CHARS)}…` : output;
  return { why: `${cmd.argv.join(' ')} ${status}${shown === '' ? '' : `: ${shown}`}`, timedOut: r.timedOut };
}

/** What the rollback achieved, as the status should say it. */
export interface RollbackOutcome {
  /** Paths that could not be put back (still new on disk). */
  readonly stuck: readonly string[];
  /** Whether the server was reloaded on the previous files, and how that went. */
  readonly reloadAgain: 'not needed' | 'skipped: cancelled' | 'ok' | CommandFailure;
}

/** Pure: one phrase for the rollback, e.g. `previous files restored and reloaded`. */
export function rollbackSummary(o: RollbackOutcome): string {
  if (o.stuck.length > 0) return `could not restore ${o.stuck.join(', ')}`;
  if (o.reloadAgain === 'not needed') return 'previous files restored';
  if (o.reloadAgain === 'skipped: cancelled') return 'previous files restored, not reloaded again: cancelled';
  if (o.reloadAgain === 'ok') return 'previous files restored and reloaded';
  return `previous files restored, but the reload after restore failed too: ${o.reloadAgain.why}`;
}

/** Pure: the error for a step that refused the files; a timeout is retryable, a refusal terminal. */
export function failureMessage(step: ServerStep, failure: CommandFailure, rollback: RollbackOutcome): ConnectorError {
  const message = `${step} failed (${rollbackSummary(rollback)}): ${failure.why}`;
  return failure.timedOut ? retryable(message) : terminal(message);
}

/** Something written and how to undo it. */
interface Written {
  readonly paths: readonly string[];
  undo(): Promise<void>;
}

/** Restores newest first, without the deploy's signal (a cancel must not stop the undo); returns what stayed new. */
async function restoreAll(written: readonly Written[]): Promise<string[]> {
  const stuck: string[] = [];
  for (const w of [...written].reverse()) await w.undo().catch(() => stuck.push(...w.paths));
  return stuck;
}

/** Writes the plan's files in its layout, appending each completed write to `written` as it lands. */
async function writeFiles(sandbox: Sandbox, plan: ServerFilesPlan, signal: AbortSignal, written: Written[]): Promise<void> {
  if (plan.layout === 'Atomic') {
    const first = plan.files[0]?.options ?? {};
    const set = await sandbox.writeFileSet(
      plan.files.map((f) => ({ path: f.path, data: f.data, ...(f.options.mode === undefined ? {} : { mode: f.options.mode }) })),
      { owner: first.owner, group: first.group, signal },
    );
    written.push({ paths: set.paths, undo: () => sandbox.restoreFileSet(set) });
    return;
  }
  for (const f of plan.files) {
    const w: FileWrite = await sandbox.writeFile(f.path, f.data, { ...f.options, signal });
    written.push({ paths: [w.path], undo: () => sandbox.restoreFile(w) });
  }
}

async function run(sandbox: Sandbox, cmd: ServerCommand, signal: AbortSignal): Promise<CommandFailure | null> {
  return commandFailure(cmd, await sandbox.exec(cmd.argv, { timeoutMs: cmd.timeoutMs, signal }));
}

/**
 * Writes `plan.files`, runs the config test and the reload, and rolls back on any failure.
 * Sandbox errors (denied, unreachable, cancelled) leave unchanged after the restore; a step
 * that refused the files becomes a `ConnectorError` quoting the server's own (redacted) words.
 */
export async function applyServerFiles(signal: AbortSignal, sandbox: Sandbox, plan: ServerFilesPlan): Promise<ServerFilesResult> {
  const paths = plan.files.map((f) => f.path).join(', ');
  if (await sameContent(sandbox, plan.files, signal)) return { changed: false, message: `${paths} already hold this certificate` };

  const written: Written[] = [];
  let refused: { step: ServerStep; failure: CommandFailure } | null = null;
  try {
    await writeFiles(sandbox, plan, signal, written);
    const tested = plan.configTest === undefined ? null : await run(sandbox, plan.configTest, signal);
    if (tested !== null) refused = { step: 'config test', failure: tested };
    else if (plan.reload !== undefined) {
      const reloaded = await run(sandbox, plan.reload, signal);
      if (reloaded !== null) refused = { step: 'reload', failure: reloaded };
    }
  } catch (err) {
    // Denied, unreachable or cancelled after some writes: undo them and let the sandbox's own
    // (already classified) error through. The server was not (fully) told about the new files.
    const stuck = await restoreAll(written);
    if (stuck.length === 0) throw err;
    const message = `deploy failed and ${stuck.join(', ')} could not be restored: ${err instanceof Error ? err.message : String(err)}`;
    throw err instanceof CertDeployerError && err.retryable ? retryable(message, err) : terminal(message, err);
  }

  if (refused !== null) {
    const stuck = await restoreAll(written);
    let reloadAgain: RollbackOutcome['reloadAgain'] = 'not needed';
    // Only a reload that ran can have left the server on the new files; a refused config test never reloaded.
    if (refused.step === 'reload' && stuck.length === 0 && plan.reload !== undefined) {
      if (signal.aborted) reloadAgain = 'skipped: cancelled';
      else reloadAgain = (await run(sandbox, plan.reload, signal).catch((e: unknown) => ({ why: e instanceof Error ? e.message : String(e), timedOut: false }))) ?? 'ok';
    }
    throw failureMessage(refused.step, refused.failure, { stuck, reloadAgain });
  }

  const steps = [plan.configTest && `${plan.configTest.argv.join(' ')} ok`, plan.reload && `ran ${plan.reload.argv.join(' ')}`].filter(Boolean);
  const message = [`wrote ${paths}`, ...steps].join('; ');
  return { changed: true, message: message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}…` : message };
}

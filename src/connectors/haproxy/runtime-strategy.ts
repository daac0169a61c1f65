/**
 * Loading through the HAProxy Runtime API: `set ssl cert` + `commit ssl cert` on the admin
 * socket, then `show ssl cert` to confirm. No reload, so no connection is dropped and no worker
 * restarts. Idempotency asks HAProxy itself (`show ssl cert`), because the file on disk can
 * hold a certificate the running process never loaded (a crash between write and commit).
 *
 * A rejected update is aborted (`abort ssl cert`) so no half transaction blocks the next
 * client. If the commit may have gone through before a failure (a cancel or lost connection
 * mid-commit), `revert` pushes the previous file's content back, so the running HAProxy and
 * the restored file agree again.
 */
import { type Sandbox, retryable, terminal } from '@cert-deployer/connector-sdk';
import type { LoadFailure, LoadStrategy } from './load-strategy.ts';
import {
  abortCommand,
  commitCommand,
  isWanted,
  parseCommit,
  parseSet,
  parseShow,
  setCommand,
  showCommand,
  type WantedCertificate,
} from './runtime-protocol.ts';

/** Replies are a few lines; a cap keeps a misbehaving socket from filling memory. */
const MAX_REPLY_BYTES = 64 * 1024;

export interface RuntimeStrategyOptions {
  readonly sandbox: Sandbox;
  readonly certificatePath: string;
  readonly socketPath: string;
  readonly timeoutMs: number;
  readonly want: WantedCertificate;
}

/** A runtime-API strategy for one deploy (it remembers whether a commit was sent). */
export function createRuntimeStrategy(opts: RuntimeStrategyOptions): LoadStrategy {
  const { sandbox, certificatePath: path, want } = opts;
  const address = `unix:${opts.socketPath}`;
  let commitSent = false;

  async function command(text: string, signal?: AbortSignal): Promise<string> {
    const reply = await sandbox.send(address, text, { timeoutMs: opts.timeoutMs, maxResponseBytes: MAX_REPLY_BYTES, ...(signal ? { signal } : {}) });
    return new TextDecoder().decode(reply);
  }

  /** `show ssl cert`: does HAProxy serve `want`? Throws (before any change) when it cannot tell. */
  async function serves(signal?: AbortSignal): Promise<boolean> {
    const shown = parseShow(await command(showCommand(path), signal));
    if (shown.kind === 'loaded') return isWanted(shown.certificate, want);
    if (shown.kind === 'notLoaded') {
      throw terminal(
        `HAProxy has no certificate loaded from ${path}: certificatePath must be exactly the file a crt line (or crt-list entry) of the running configuration names; this connector replaces loaded certificates, it does not add new ones`,
      );
    }
    if (shown.reply.trim() === '') throw retryable(`${address} closed the connection without answering show ssl cert`);
    throw terminal(`${address} did not answer show ssl cert as HAProxy does (is it a stats socket with level admin?): ${shown.reply.trim()}`);
  }

  /** set + commit of `pem`; null on success. */
  async function push(pem: string, signal?: AbortSignal): Promise<LoadFailure | null> {
    const text = setCommand(path, pem);
    const set = parseSet(await command(text, signal), new TextEncoder().encode(text).byteLength);
    if (!set.ok) return { why: `set ssl cert: ${set.reply}`, retryable: set.retryable };
    commitSent = true;
    const commit = parseCommit(await command(commitCommand(path), signal));
    if (!commit.ok) return { why: `commit ssl cert: ${commit.reply}`, retryable: commit.retryable };
    return null;
  }

  return {
    summary: 'hot update through the runtime API',
    serves,
    async load(pem, signal) {
      const failed = await push(pem, signal);
      if (failed !== null) return failed;
      if (!(await serves(signal))) return { why: 'commit ssl cert reported success, but show ssl cert shows another certificate', retryable: true };
      return null;
    },
    async revert(previous) {
      // No signal on purpose: a cancelled deploy must still leave no transaction behind.
      await command(abortCommand(path)).catch(() => undefined);
      if (!commitSent) return 'the running HAProxy kept the previous certificate';
      try {
        if (!(await serves())) return 'the running HAProxy kept the previous certificate';
        if (previous === null) return 'the running HAProxy may serve the new certificate (there was no previous file to put back)';
        const back = await push(previous);
        if (back === null) return 'the running HAProxy was put back on the previous certificate';
        await command(abortCommand(path)).catch(() => undefined);
        return `putting the previous certificate back into the running HAProxy failed too (${back.why})`;
      } catch {
        return 'the running HAProxy may still serve the new certificate (the admin socket did not answer)';
      }
    },
  };
}

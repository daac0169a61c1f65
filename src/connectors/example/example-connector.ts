/**
 * The `example` connector: the complete file-plus-reload shape (NGINX, Apache). Copy this
 * folder to start a new connector; `src/connectors/README.md` explains the contract.
 *
 * TEACHING NOTES: the five rules every connector follows.
 * 1. Declare the least grant (`capabilities()`): exactly the two files and exactly the reload
 *    argv. Nothing else is reachable; anything else throws DeniedError. The conformance suite
 *    removes each item in turn and expects a DeniedError, so declare nothing you do not use.
 * 2. All I/O goes through the `sandbox` argument. Never import node:fs, node:child_process or a
 *    network module here (eslint refuses it).
 * 3. Idempotent on the fingerprint: delivery is at-least-once, so first read what the target
 *    holds and return `changed: false` without writing or reloading when it already matches.
 * 4. Leave the target as you found it when you fail: restore every file you replaced, and
 *    reload again so the server runs on the old files.
 * 5. Throw `terminal()` (retrying cannot help) or `retryable()` (try again later) for your own
 *    failures; let sandbox errors (DeniedError, unreachable, abort) through unchanged, they are
 *    already classified. Never put key material or a raw server reply in an error: `terminal()`
 *    and `retryable()` redact PEM and base64, but do not quote the key in the first place.
 */
import { CertDeployerError, type Grant, type FileWrite, type Sandbox, type Connector, type DeployResult, retryable, terminal, type Deployment, sameContent, type PlannedFile } from '../sdk/index.ts';
import type { ExampleConfig } from './config.ts';

/** How long the reload may run before it counts as hung (then retryable: the server was busy). */
const RELOAD_TIMEOUT_MS = 30_000;
/** Certificates are public; the key is owner-only (the sandbox refuses a world-readable key anyway). */
const CERT_MODE = 0o644;
const KEY_MODE = 0o600;

/** PEM blocks joined one per line ending, so the file is byte-for-byte predictable. */
const joinPem = (blocks: readonly string[]): string => blocks.map((b) => (b.endsWith('\n') ? b : `${b}\n`)).join('');

/** Pure: what the target should hold for `dep`. Certificate first, key last. */
function planFiles(config: ExampleConfig, dep: Deployment): PlannedFile[] {
  const chain = dep.chainPem.length > 0 ? dep.chainPem : [dep.certificatePem];
  return [
    { path: config.certificatePath, data: joinPem(chain), options: { mode: CERT_MODE } },
    // reveal() is called only here, on the way into the sandbox. Never log `data`.
    { path: config.privateKeyPath, data: dep.privateKey.reveal(), options: { mode: KEY_MODE } },
  ];
}

/** Creates the connector for one target's validated configuration. */
export function createExampleConnector(config: ExampleConfig): Connector {
  // Rule 1. Built once and frozen, so capabilities() is pure: same answer on every call.
  const grant: Grant = Object.freeze({
    read: [],
    write: [config.certificatePath, config.privateKeyPath],
    dial: [],
    exec: [{ argv: config.reload }],
  });
  const command = config.reload.join(' ');

  /** Runs the reload; returns null on success, else why it failed (server output redacted by the caller's error helper). */
  async function reload(sandbox: Sandbox, signal: AbortSignal): Promise<{ why: string; timedOut: boolean } | null> {
    const r = await sandbox.exec(config.reload, { timeoutMs: RELOAD_TIMEOUT_MS, signal });
    if (r.exitCode === 0) return null;
    const status = r.timedOut ? `timed out after ${RELOAD_TIMEOUT_MS / 1000}s` : `exited ${r.exitCode ?? r.signal}`;
    return { why: `${command} ${status}: ${(r.stderr || r.stdout).trim()}`, timedOut: r.timedOut };
  }

  /** Rule 4. Restores in reverse order; returns the paths it could not restore. */
  async function restore(sandbox: Sandbox, written: readonly FileWrite[]): Promise<string[]> {
    const stuck: string[] = [];
    // No signal on purpose: even after a cancel, putting the old files back must finish.
    for (const w of [...written].reverse()) await sandbox.restoreFile(w).catch(() => stuck.push(w.path));
    return stuck;
  }

  return {
    name: 'example',
    capabilities: () => grant,

    async deploy(signal: AbortSignal, sandbox: Sandbox, dep: Deployment): Promise<DeployResult> {
      const files = planFiles(config, dep);

      // Rule 3: compare bytes with what is there. Zero writes and zero execs on a replay.
      if (await sameContent(sandbox, files, signal)) {
        return { changed: false, message: `${config.certificatePath} already holds ${dep.fingerprint.slice(0, 12)}` };
      }

      const written: FileWrite[] = [];
      let failure: { why: string; timedOut: boolean } | null;
      try {
        // writeFile is atomic (temp file + rename) and returns what it replaced.
        for (const f of files) written.push(await sandbox.writeFile(f.path, f.data, { ...f.options, signal }));
        failure = await reload(sandbox, signal);
      } catch (err) {
        // A sandbox error (denied, unreachable, cancelled) after some writes: undo them and
        // rethrow unchanged. The server was not (fully) reloaded, so the old files are right,
        // and the replay will find them different and deploy again.
        const stuck = await restore(sandbox, written);
        if (stuck.length === 0) throw err;
        const message = `deploy failed and ${stuck.join(', ')} could not be restored: ${err instanceof Error ? err.message : String(err)}`;
        throw err instanceof CertDeployerError && err.retryable ? retryable(message, err) : terminal(message, err);
      }

      if (failure !== null) {
        // The server refused the new files (or hung). Put the old ones back and reload again,
        // so it keeps serving the previous certificate rather than none.
        const stuck = await restore(sandbox, written);
        let after = `could not restore ${stuck.join(', ')}`;
        if (stuck.length === 0 && signal.aborted) after = 'previous files restored, not reloaded again: cancelled';
        else if (stuck.length === 0) {
          const again = await reload(sandbox, signal).catch(() => 'failed');
          after = again === null ? 'previous files restored' : 'previous files restored, but the reload after restore failed too';
        }
        const message = `reload failed (${after}): ${failure.why}`;
        // A hung reload may work later; a reload that exited non-zero rejected these files.
        throw failure.timedOut ? retryable(message) : terminal(message);
      }
      return { changed: true, message: `wrote ${config.certificatePath} and ${config.privateKeyPath}, ran ${command}` };
    },
  };
}

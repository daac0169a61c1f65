/**
 * The `file` connector: writes the chain, key and optional CA bundle atomically, runs an
 * optional reload, and rolls every file back (and reloads again) when the reload fails.
 * Idempotent on the fingerprint: when the files already hold exactly what it would write,
 * it neither writes nor reloads.
 *
 * Any failure after the first write — a refused reload, but also a denial, a lost host or a
 * cancel — restores the previous files before the error leaves. Otherwise the new files would
 * stay on disk unloaded, and the replay (delivery is at-least-once) would find them, report
 * `changed: false` and never reload: the server would keep serving the old certificate.
 */
import { CertDeployerError } from '../../sandbox/errors.ts';
import type { Grant } from '../../sandbox/grant.ts';
import type { FileWrite, Sandbox } from '../../sandbox/sandbox.ts';
import type { Connector, DeployResult } from '../sdk/connector.ts';
import { retryable, terminal } from '../sdk/connector-error.ts';
import type { Deployment } from '../sdk/deployment.ts';
import { planFiles, sameContent } from '../sdk/file-plan.ts';
import type { FileConfig } from './config.ts';

interface ReloadFailure {
  readonly why: string;
  readonly timedOut: boolean;
}

/** Restores in reverse order, without the deploy's signal (a cancel must not stop the undo); returns what stayed new. */
async function restoreAll(sandbox: Sandbox, written: readonly FileWrite[]): Promise<string[]> {
  const stuck: string[] = [];
  for (const w of [...written].reverse()) await sandbox.restoreFile(w).catch(() => stuck.push(w.path));
  return stuck;
}

/** Creates a file connector for one target's configuration. */
export function createFileConnector(config: FileConfig): Connector {
  const paths = [config.certificatePath, config.privateKeyPath, ...(config.caPath ? [config.caPath] : [])];
  const grant: Grant = Object.freeze({
    read: [],
    write: paths,
    dial: [],
    exec: config.reload ? [{ argv: config.reload.argv }] : [],
  });

  async function reload(signal: AbortSignal, sandbox: Sandbox): Promise<ReloadFailure | null> {
    if (!config.reload) return null;
    const r = await sandbox.exec(config.reload.argv, { timeoutMs: config.reload.timeoutSeconds * 1000, signal });
    if (r.exitCode === 0) return null;
    const why = r.timedOut ? `timed out after ${config.reload.timeoutSeconds}s` : `exited ${r.exitCode ?? r.signal}`;
    return { why: `${config.reload.argv.join(' ')} ${why}: ${(r.stderr || r.stdout).trim()}`, timedOut: r.timedOut };
  }

  return {
    name: 'file',
    capabilities: () => grant,
    async deploy(signal: AbortSignal, sandbox: Sandbox, dep: Deployment): Promise<DeployResult> {
      const files = planFiles(config, dep);
      if (await sameContent(sandbox, files, signal)) return { changed: false, message: 'files already hold this certificate' };
      const written: FileWrite[] = [];
      let failure: ReloadFailure | null;
      try {
        for (const f of files) written.push(await sandbox.writeFile(f.path, f.data, { ...f.options, signal }));
        failure = await reload(signal, sandbox);
      } catch (err) {
        const stuck = await restoreAll(sandbox, written);
        if (stuck.length === 0) throw err;
        const message = `deploy failed and ${stuck.join(', ')} could not be restored: ${err instanceof Error ? err.message : String(err)}`;
        throw err instanceof CertDeployerError && err.retryable ? retryable(message, err) : terminal(message, err);
      }
      if (failure !== null) {
        const stuck = await restoreAll(sandbox, written);
        const again = stuck.length === 0 && !signal.aborted ? await reload(signal, sandbox).catch(() => ({ why: 'failed', timedOut: false })) : null;
        const after = stuck.length > 0 ? `could not restore ${stuck.join(', ')}` : again ? 'previous files restored, reload after restore also failed' : 'previous files restored';
        const message = `reload failed (${after}): ${failure.why}`;
        // A hung reload may succeed later; one that exited non-zero rejected these files.
        throw failure.timedOut ? retryable(message) : terminal(message);
      }
      return { changed: true, message: `wrote ${files.length} files${config.reload ? ' and reloaded' : ''}` };
    },
  };
}

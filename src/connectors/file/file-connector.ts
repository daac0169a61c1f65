/**
 * The `file` connector: writes the chain, key and optional CA bundle atomically, runs an
 * optional reload, and rolls every file back (and reloads again) when the reload fails.
 * Idempotent on the fingerprint: when the files already hold exactly what it would write,
 * it neither writes nor reloads.
 */
import type { Grant } from '../../sandbox/grant.ts';
import type { FileWrite, Sandbox } from '../../sandbox/sandbox.ts';
import type { Connector, DeployResult } from '../sdk/connector.ts';
import { terminal } from '../sdk/connector-error.ts';
import type { Deployment } from '../sdk/deployment.ts';
import { planFiles, sameContent } from '../sdk/file-plan.ts';
import type { FileConfig } from './config.ts';

/** Creates a file connector for one target's configuration. */
export function createFileConnector(config: FileConfig): Connector {
  const paths = [config.certificatePath, config.privateKeyPath, ...(config.caPath ? [config.caPath] : [])];
  const grant: Grant = {
    read: [],
    write: paths,
    dial: [],
    exec: config.reload ? [{ argv: config.reload.argv }] : [],
  };

  async function reload(signal: AbortSignal, sandbox: Sandbox): Promise<string | null> {
    if (!config.reload) return null;
    const r = await sandbox.exec(config.reload.argv, { timeoutMs: config.reload.timeoutSeconds * 1000, signal });
    if (r.exitCode === 0) return null;
    const why = r.timedOut ? `timed out after ${config.reload.timeoutSeconds}s` : `exited ${r.exitCode ?? r.signal}`;
    return `${config.reload.argv.join(' ')} ${why}: ${(r.stderr || r.stdout).trim()}`;
  }

  return {
    name: 'file',
    capabilities: () => grant,
    async deploy(signal: AbortSignal, sandbox: Sandbox, dep: Deployment): Promise<DeployResult> {
      const files = planFiles(config, dep);
      if (await sameContent(sandbox, files, signal)) return { changed: false, message: 'files already hold this certificate' };
      const written: FileWrite[] = [];
      try {
        for (const f of files) written.push(await sandbox.writeFile(f.path, f.data, { ...f.options, signal }));
      } catch (err) {
        for (const w of written.reverse()) await sandbox.restoreFile(w).catch(() => undefined);
        throw err;
      }
      const failure = await reload(signal, sandbox);
      if (failure !== null) {
        for (const w of [...written].reverse()) await sandbox.restoreFile(w).catch(() => undefined);
        const again = await reload(signal, sandbox);
        throw terminal(`reload failed, previous files restored${again ? ' (reload after restore also failed)' : ''}: ${failure}`);
      }
      return { changed: true, message: `wrote ${files.length} files${config.reload ? ' and reloaded' : ''}` };
    },
  };
}

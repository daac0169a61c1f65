/**
 * The `file` connector: writes the chain, key and optional CA bundle atomically, runs an
 * optional reload, and rolls every file back (and reloads again) when the reload fails.
 * Idempotent on the fingerprint: when the files already hold exactly what it would write,
 * it neither writes nor reloads.
 *
 * Any failure after the first write — a refused reload, but also a denial, a lost host or a
 * cancel — restores the previous files before the error leaves. Otherwise the new files would
 * stay on disk unloaded, and the replay (delivery is at-least-once) would find them, report
 * `changed: false` and never reload: the server would keep serving the old certificate. The
 * sequence is the one nginx and apache use (`sdk/server-files.ts`), without a config test.
 */
import { inspectPemFile, type Grant, type Sandbox, type Connector, type DeployResult, type Deployment, planFiles, applyServerFiles, planServerFiles, type PlanResult } from '@cert-deployer/connector-sdk';
import type { FileConfig } from './config.ts';

/** Creates a file connector for one target's configuration. */
export function createFileConnector(config: FileConfig): Connector {
  const paths = [config.certificatePath, config.privateKeyPath, ...(config.caPath ? [config.caPath] : [])];
  const grant: Grant = Object.freeze({
    read: [],
    write: paths,
    dial: [],
    exec: config.reload ? [{ argv: config.reload.argv }] : [],
  });
  const reload = config.reload ? { argv: config.reload.argv, timeoutMs: config.reload.timeoutSeconds * 1000 } : undefined;

  return {
    name: 'file',
    capabilities: () => grant,
    async deploy(signal: AbortSignal, sandbox: Sandbox, dep: Deployment): Promise<DeployResult> {
      return applyServerFiles(signal, sandbox, { files: planFiles(config, dep), reload, layout: config.layout });
    },
    inspect: (signal, sandbox) => inspectPemFile(signal, sandbox, config.certificatePath),
    /** Plan mode: the same content check, then the writes and the reload deploy would make. */
    async plan(signal: AbortSignal, sandbox: Sandbox, dep: Deployment): Promise<PlanResult> {
      return planServerFiles(signal, sandbox, { files: planFiles(config, dep), reload, layout: config.layout });
    },
  };
}

/**
 * The `nginx` connector: writes the certificate chain and the key next to nginx, runs
 * `nginx -t` with the new files in place, then `nginx -s reload`. A refused test restores the
 * previous files (nginx was never told about the new ones); a refused reload restores them and
 * reloads again, so nginx keeps serving the previous certificate. Either way the status quotes
 * nginx's own message, redacted.
 *
 * Idempotent on content: when both files already hold exactly what it would write, it neither
 * writes nor runs anything. Before any I/O it checks that the key belongs to the leaf, so a
 * hand-built Deployment with a mismatched pair never reaches the server.
 */
import { inspectPemFile, type Connector, type DeployResult, type Deployment, planFiles, loadBundle, applyServerFiles, type ServerFilesPlan, serverGrant, planServerFiles } from '@cert-deployer/connector-sdk';
import type { NginxConfig } from './config.ts';

/** Pure: what nginx should hold for `dep` and the commands that make it take it. */
export function planNginx(config: NginxConfig, dep: Deployment): ServerFilesPlan {
  const timeoutMs = config.commandTimeoutSeconds * 1000;
  return {
    files: planFiles(config, dep),
    layout: config.layout,
    configTest: { argv: config.configTest, timeoutMs },
    reload: { argv: config.reload, timeoutMs },
  };
}

/** Creates the connector for one target's validated configuration. */
export function createNginxConnector(config: NginxConfig): Connector {
  const grant = serverGrant([config.certificatePath, config.privateKeyPath], [config.configTest, config.reload]);
  return {
    name: 'nginx',
    capabilities: () => grant,
    async deploy(signal: AbortSignal, sandbox, dep): Promise<DeployResult> {
      loadBundle(dep); // throws a terminal FormatError (KeyMismatch, MalformedDeployment) before any I/O
      const r = await applyServerFiles(signal, sandbox, planNginx(config, dep));
      return { changed: r.changed, message: r.message };
    },
    inspect: (signal, sandbox) => inspectPemFile(signal, sandbox, config.certificatePath),
    /** Plan mode: the same checks and content comparison, then what deploy would write and run. */
    async plan(signal, sandbox, dep) {
      loadBundle(dep);
      return planServerFiles(signal, sandbox, planNginx(config, dep));
    },
  };
}

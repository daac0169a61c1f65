/**
 * The `apache` connector: writes the certificate (and, for the old layout, the chain) and the
 * key, runs the configuration test with the new files in place, then a graceful restart. A
 * refused test restores the previous files; a refused restart restores them and restarts
 * again, so httpd keeps serving the previous certificate; the status quotes httpd's own
 * message, redacted.
 *
 * Why the key check before any I/O matters more here than for nginx: `apache2 -t` does not
 * load certificates (mod_ssl checks the pair only in post-config), and a graceful restart onto
 * a key that does not match the certificate makes the httpd parent exit ("AH02565 ... do not
 * match", "AH00020: Configuration Failed, exiting"). So a mismatched pair must never reach the
 * disk; `loadBundle` refuses it with a terminal error.
 */
import { inspectPemFile, type Connector, type DeployResult, terminal, type Deployment, parseMode, planFiles, type PlannedFile, loadBundle, applyServerFiles, type ServerFilesPlan, serverGrant, planServerFiles } from '@cert-deployer/connector-sdk';
import type { ApacheConfig } from './config.ts';

const pem = (blocks: readonly string[]): string => blocks.map((b) => (b.endsWith('\n') ? b : `${b}\n`)).join('');

/** Pure: the files for the SSLCertificateChainFile layout — leaf, chain above it, key last. */
function splitChainFiles(config: ApacheConfig & { chainPath: string }, dep: Deployment): PlannedFile[] {
  const chain = dep.chainPem.length > 0 ? dep.chainPem : [dep.certificatePem];
  const above = chain.slice(1);
  if (above.length === 0) {
    // Apache refuses an empty SSLCertificateChainFile ("does not exist or is empty").
    throw terminal(`chainPath ${config.chainPath} is set, but the Secret holds no certificate above the leaf: remove chainPath or add the intermediates to tls.crt`);
  }
  const owner = { owner: config.owner, group: config.group };
  const certOpts = { ...owner, mode: parseMode(config.certificateMode, false) };
  return [
    { path: config.certificatePath, data: pem([chain[0] as string]), options: certOpts, material: 'certificate' },
    { path: config.chainPath, data: pem(above), options: certOpts, material: 'ca' },
    { path: config.privateKeyPath, data: dep.privateKey.reveal(), options: { ...owner, mode: parseMode(config.privateKeyMode, true) }, material: 'privateKey' },
  ];
}

/** Pure: what httpd should hold for `dep` and the commands that make it take it. */
export function planApache(config: ApacheConfig, dep: Deployment): ServerFilesPlan {
  const timeoutMs = config.commandTimeoutSeconds * 1000;
  const { chainPath } = config;
  return {
    files: chainPath === undefined ? planFiles(config, dep) : splitChainFiles({ ...config, chainPath }, dep),
    layout: config.layout,
    configTest: { argv: config.configTest, timeoutMs },
    reload: { argv: config.reload, timeoutMs },
  };
}

/** Creates the connector for one target's validated configuration. */
export function createApacheConnector(config: ApacheConfig): Connector {
  const paths = [config.certificatePath, ...(config.chainPath === undefined ? [] : [config.chainPath]), config.privateKeyPath];
  const grant = serverGrant(paths, [config.configTest, config.reload]);
  return {
    name: 'apache',
    capabilities: () => grant,
    async deploy(signal: AbortSignal, sandbox, dep): Promise<DeployResult> {
      loadBundle(dep); // a terminal FormatError (KeyMismatch, MalformedDeployment) before any I/O
      const r = await applyServerFiles(signal, sandbox, planApache(config, dep));
      return { changed: r.changed, message: r.message };
    },
    // certificatePath holds the leaf first in both layouts (with or without chainPath).
    inspect: (signal, sandbox) => inspectPemFile(signal, sandbox, config.certificatePath),
    /** Plan mode: the same checks and content comparison, then what deploy would write and run. */
    async plan(signal, sandbox, dep) {
      loadBundle(dep);
      return planServerFiles(signal, sandbox, planApache(config, dep));
    },
  };
}

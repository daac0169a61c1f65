/**
 * The `apache` connector block: where Apache httpd reads its certificate and key (on this
 * machine or over SSH), how the files are owned, and the two commands that make httpd take
 * them — a configuration test that must pass before anything is reloaded, and a graceful
 * restart, which lets open connections finish on the old certificate.
 *
 * `chainPath` serves the pre-2.4.8 layout (`SSLCertificateChainFile`): then the certificate
 * file holds the leaf alone and the chain file the certificates above it. Without it the
 * certificate file holds the whole chain, leaf first, which `SSLCertificateFile` reads since
 * 2.4.8.
 */
import { z } from 'zod';
import { absolutePath, argv, fileAttributes, hostConfig } from '@cert-deployer/connector-sdk';

/** `apachectl configtest`: `apache2 -t` with the distribution's environment (Debian's envvars). */
export const APACHE_DEFAULT_CONFIG_TEST = ['/usr/sbin/apachectl', 'configtest'] as const;
/** `apachectl graceful`: SIGUSR1 to the parent after its own syntax check; children finish their requests first. */
export const APACHE_DEFAULT_RELOAD = ['/usr/sbin/apachectl', 'graceful'] as const;

const DISTINCT = 'certificatePath, privateKeyPath and chainPath must all differ';
const distinctRule =
  'self.certificatePath != self.privateKeyPath && (!has(self.chainPath) || (self.chainPath != self.certificatePath && self.chainPath != self.privateKeyPath))';

export const apacheConfig = z
  .object({
    host: hostConfig.default({ local: {} }).describe('Where Apache httpd runs and reads its files: local (agent mode) or ssh. Defaults to local.'),
    certificatePath: absolutePath.describe(
      'Absolute path that SSLCertificateFile names. Holds the chain, leaf first (Apache 2.4.8+), or the leaf alone when chainPath is set.',
    ),
    privateKeyPath: absolutePath.describe('Absolute path of the private key PEM (PKCS#8) that SSLCertificateKeyFile names; written with privateKeyMode (0600).'),
    chainPath: absolutePath
      .optional()
      .describe('Absolute path that SSLCertificateChainFile names, for the pre-2.4.8 layout: it gets the certificates above the leaf. The Secret must then hold at least one.'),
    ...fileAttributes,
    configTest: argv
      .default([...APACHE_DEFAULT_CONFIG_TEST])
      .describe('Configuration test run after the files are written and before the reload, as an exact argv (no shell). A non-zero exit restores the previous files.'),
    reload: argv
      .default([...APACHE_DEFAULT_RELOAD])
      .describe('Graceful restart command, as an exact argv (no shell). A non-zero exit restores the previous files and reloads again.'),
    commandTimeoutSeconds: z.int().min(1).max(600).default(30).describe('How long the configuration test and the reload may each run before they count as hung (retryable).'),
  })
  .refine((c) => new Set([c.certificatePath, c.privateKeyPath, ...(c.chainPath === undefined ? [] : [c.chainPath])]).size === (c.chainPath === undefined ? 2 : 3), {
    message: DISTINCT,
    path: ['privateKeyPath'],
  })
  .meta({ 'x-kubernetes-validations': [{ rule: distinctRule, message: DISTINCT }] })
  .describe('Deploys to Apache httpd: writes the certificate, key (and optional chain) files, runs the configuration test, restarts gracefully, and rolls back when either refuses.');

/** The validated block, as the connector receives it. */
export type ApacheConfig = z.infer<typeof apacheConfig>;

/**
 * The `nginx` connector block: where nginx reads its certificate chain and key (on this
 * machine or over SSH), how the files are owned, and the two commands that make nginx take
 * them — a configuration test that must pass before anything is reloaded, and the reload.
 *
 * The commands default to what a packaged nginx answers to (`nginx -t`, `nginx -s reload`);
 * a non-default prefix or configuration is addressed by spelling it out, e.g.
 * `["/usr/sbin/nginx", "-t", "-c", "/etc/nginx/site.conf"]`. They are exact argv vectors run without a
 * shell, and they are exactly what the connector's grant allows.
 */
import { z } from 'zod';
import { absolutePath, argv, fileAttributes, hostConfig } from '@cert-deployer/connector-sdk';

/** `nginx -t`: loads the whole configuration, certificates and keys included, without serving. */
export const NGINX_DEFAULT_CONFIG_TEST = ['/usr/sbin/nginx', '-t'] as const;
/** `nginx -s reload`: SIGHUP to the master; new workers take new connections, old ones drain. */
export const NGINX_DEFAULT_RELOAD = ['/usr/sbin/nginx', '-s', 'reload'] as const;

const distinctPaths = 'self.certificatePath != self.privateKeyPath';

export const nginxConfig = z
  .object({
    host: hostConfig.default({ local: {} }).describe('Where nginx runs and reads its files: local (agent mode) or ssh. Defaults to local.'),
    certificatePath: absolutePath.describe(
      'Absolute path of the certificate chain PEM that ssl_certificate names (leaf first, then intermediates, as nginx expects).',
    ),
    privateKeyPath: absolutePath.describe('Absolute path of the private key PEM (PKCS#8) that ssl_certificate_key names; written with privateKeyMode (0600).'),
    ...fileAttributes,
    configTest: argv
      .default([...NGINX_DEFAULT_CONFIG_TEST])
      .describe('Configuration test run after the files are written and before the reload, as an exact argv (no shell). A non-zero exit restores the previous files.'),
    reload: argv
      .default([...NGINX_DEFAULT_RELOAD])
      .describe('Reload command, as an exact argv (no shell). A non-zero exit restores the previous files and reloads again.'),
    commandTimeoutSeconds: z.int().min(1).max(600).default(30).describe('How long the configuration test and the reload may each run before they count as hung (retryable).'),
  })
  .refine((c) => c.certificatePath !== c.privateKeyPath, { message: 'certificatePath and privateKeyPath must differ', path: ['privateKeyPath'] })
  .meta({ 'x-kubernetes-validations': [{ rule: distinctPaths, message: 'certificatePath and privateKeyPath must differ' }] })
  .describe('Deploys to nginx: writes the chain and key files, runs the configuration test, reloads, and rolls back when either refuses.');

/** The validated block, as the connector receives it. */
export type NginxConfig = z.infer<typeof nginxConfig>;

/**
 * The `example` connector's configuration block: the copy-me template for any server that
 * reads a certificate file and a key file, may check its configuration, and is told to pick
 * the files up with one command (NGINX, Apache, Postfix, …).
 *
 * TEACHING NOTES
 * - This zod schema is the single source of truth: the CRD generator turns it into the
 *   OpenAPI schema of the block, and the controller validates the block with it before the
 *   connector is created. So every field gets a `.describe()`: that text is what
 *   `kubectl explain` shows.
 * - Reuse the shared atoms from the SDK (`hostConfig`, `absolutePath`, `argv`,
 *   `fileAttributes`) so every server connector spells "where", "which command" and "which
 *   owner and mode" the same way, and so `planFiles` can read this block directly.
 * - Import only `@cert-deployer/connector-sdk` (lint refuses anything else of this repo).
 * - Keep the block small. Every field you add is API you must keep working.
 */
import { z } from 'zod';
import { absolutePath, argv, fileAttributes, hostConfig } from '@cert-deployer/connector-sdk';

export const exampleConfig = z
  .object({
    host: hostConfig.describe('Where the files live and the commands run: local (agent mode) or ssh.'),
    certificatePath: absolutePath.describe('Absolute path of the certificate chain PEM (leaf first, then intermediates).'),
    privateKeyPath: absolutePath.describe('Absolute path of the private key PEM (PKCS#8), written with privateKeyMode (0600).'),
    ...fileAttributes,
    configTest: argv
      .optional()
      .describe('Optional configuration test run with the new files in place and before the reload, as an exact argv (no shell). A non-zero exit restores the previous files.'),
    reload: argv.describe('The reload command as an exact argv, run without a shell, e.g. ["/usr/sbin/nginx", "-s", "reload"]. A non-zero exit restores the previous files and reloads again.'),
    commandTimeoutSeconds: z.int().min(1).max(600).default(30).describe('How long the configuration test and the reload may each run before they count as hung (retryable).'),
  })
  .refine((c) => c.certificatePath !== c.privateKeyPath, { message: 'certificatePath and privateKeyPath must differ', path: ['privateKeyPath'] })
  .meta({ 'x-kubernetes-validations': [{ rule: 'self.certificatePath != self.privateKeyPath', message: 'certificatePath and privateKeyPath must differ' }] })
  .describe('Template connector: writes a certificate and a key file on a host, optionally tests the configuration, runs one reload, and rolls back when either refuses.');

/** The validated block, as the connector receives it. */
export type ExampleConfig = z.infer<typeof exampleConfig>;

/**
 * The `example` connector's configuration block: the copy-me template for any server that
 * reads a certificate file and a key file and is told to pick them up with one command
 * (NGINX, Apache, Postfix, …).
 *
 * TEACHING NOTES
 * - This zod schema is the single source of truth: the CRD generator turns it into the
 *   OpenAPI schema of the `example` block, and the controller validates the block with it
 *   before the connector is created. So every field gets a `.describe()`: that text is what
 *   `kubectl explain` shows.
 * - Reuse the shared pieces from `../sdk/host-config.ts` (`hostConfig`, `absolutePath`, `argv`)
 *   so every server connector spells "where" and "which command" the same way.
 * - Keep the block small. Every field you add is API you must keep working.
 */
import { z } from 'zod';
import { absolutePath, argv, hostConfig } from '../sdk/index.ts';

export const exampleConfig = z
  .object({
    host: hostConfig.describe('Where the files live and the reload runs: local (agent mode) or ssh.'),
    certificatePath: absolutePath.describe('Absolute path of the certificate chain PEM (leaf first, then intermediates).'),
    privateKeyPath: absolutePath.describe('Absolute path of the private key PEM (PKCS#8), written 0600.'),
    reload: argv.describe('The reload command as an exact argv, run without a shell, e.g. ["nginx", "-s", "reload"].'),
  })
  .describe('Template connector: writes a certificate and a key file on a host and runs one reload command.');

/** The validated block, as the connector receives it. */
export type ExampleConfig = z.infer<typeof exampleConfig>;

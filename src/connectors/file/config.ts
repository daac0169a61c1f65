/**
 * The `file` connector block: writes the certificate chain, key and optional CA bundle to
 * paths on a host and optionally runs one reload command. The generic fallback for any
 * server that reads PEM files.
 */
import { z } from 'zod';
import { absolutePath, argv, fileAttributes, hostConfig } from '@cert-deployer/connector-sdk';

export const fileConfig = z
  .object({
  host: hostConfig.default({ local: {} }).describe('Where the files live: local (agent) or ssh. Defaults to local.'),
  certificatePath: absolutePath.describe('Absolute path of the certificate chain PEM (leaf first, then intermediates).'),
  privateKeyPath: absolutePath.describe('Absolute path of the PKCS#8 private key PEM, written with privateKeyMode (0600).'),
  caPath: absolutePath.optional().describe('Absolute path for the CA bundle from ca.crt, when wanted.'),
  ...fileAttributes,
  reload: z
    .object({
      argv: argv.describe('The command, as an exact argv (no shell), e.g. ["/usr/bin/systemctl", "reload", "myserver"].'),
      timeoutSeconds: z.int().min(1).max(600).default(30).describe('How long the command may run.'),
    })
    .optional()
    .describe('Command run after the files changed. When it fails, the previous files are restored.'),
  })
  .describe('Writes PEM files on a host and optionally runs a reload command: the generic connector for any server that reads PEM files.');
export type FileConfig = z.infer<typeof fileConfig>;

/**
 * The `haproxy` connector block. HAProxy loads one combined PEM per `crt` (chain and key in one
 * file), so the block names a single path. Two ways to make the running HAProxy pick it up:
 *
 * - `runtimeApi` (recommended): a hot update through the admin socket (`set ssl cert` +
 *   `commit ssl cert`), no reload, no dropped connection. The file is written too, so a later
 *   restart or reload keeps the new certificate.
 * - `reload`: a config test and a reload command, for setups without an admin-level socket.
 *
 * Exactly one of the two: a CEL rule in the CRD and a zod refinement say so, so a block with
 * both or neither is refused before any connector exists.
 */
import { z } from 'zod';
import { argv, hostConfig } from '@cert-deployer/connector-sdk';

/** Debian's and the upstream examples' admin socket. */
export const DEFAULT_SOCKET_PATH = '/run/haproxy/admin.sock';
/** `haproxy -c` on Debian's configuration: the check `systemctl reload haproxy` itself runs. */
export const DEFAULT_CONFIG_TEST = ['/usr/sbin/haproxy', '-c', '-f', '/etc/haproxy/haproxy.cfg'] as const;
export const DEFAULT_RELOAD = ['/usr/bin/systemctl', 'reload', 'haproxy'] as const;

/**
 * A path HAProxy's CLI can take as one argument: the CLI splits on spaces and tabs and treats
 * backslashes and semicolons specially, so such paths are refused up front.
 */
const cliPath = z
  .string()
  .min(2)
  .max(4096)
  .regex(/^\/[^\s\\;#'"]+$/, 'must be an absolute path without whitespace, quotes, backslashes, ";" or "#" (the HAProxy CLI splits on them)');

const mode = z.string().regex(/^0?[0-7]{3}$/);

const exactlyOne = '[has(self.runtimeApi), has(self.reload)].exists_one(x, x)';
const exactlyOneMessage = 'exactly one of runtimeApi or reload must be set';

export const haproxyConfig = z
  .object({
    host: hostConfig.default({ local: {} }).describe('Where HAProxy runs: local (agent) or ssh. Defaults to local.'),
    certificatePath: cliPath.describe(
      'Absolute path of the combined PEM (leaf, intermediates, key) exactly as a `crt` line (or crt-list entry) of the running HAProxy names it. The runtime API only replaces certificates HAProxy loaded at startup.',
    ),
    owner: z.string().min(1).max(64).optional().describe('Owner (user name or numeric uid) of the written file.'),
    group: z.string().min(1).max(64).optional().describe('Group (name or numeric gid) of the written file, e.g. haproxy.'),
    mode: mode
      .default('0600')
      .describe('Octal mode of the combined PEM. It holds the private key, so only owner read/write and group read are kept.'),
    includeRoot: z
      .boolean()
      .default(false)
      .describe('Also put the root from the Secret\'s ca.crt at the end of the chain. Off by default: clients never need the trust anchor from the server.'),
    runtimeApi: z
      .object({
        socketPath: cliPath.default(DEFAULT_SOCKET_PATH).describe('The admin-level stats socket (`stats socket <path> level admin`). Over SSH it is reached through OpenSSH unix-socket forwarding.'),
        timeoutSeconds: z.int().min(1).max(120).default(10).describe('How long one runtime command may take.'),
      })
      .optional()
      .describe('Hot update through the Runtime API: set ssl cert + commit ssl cert, then the file is kept in step. No reload, no dropped connection.'),
    reload: z
      .object({
        configTest: argv
          .default([...DEFAULT_CONFIG_TEST])
          .describe('Runs after the file is written and before the reload, as an exact argv (no shell). A non-zero exit restores the previous file.'),
        reload: argv.default([...DEFAULT_RELOAD]).describe('The reload command, as an exact argv (no shell), e.g. ["/usr/bin/systemctl", "reload", "haproxy"].'),
        timeoutSeconds: z.int().min(1).max(600).default(30).describe('How long each of the two commands may run.'),
      })
      .optional()
      .describe('Alternative to runtimeApi: write the file, test the configuration, reload. Restores the previous file and reloads again on failure.'),
  })
  .refine((c) => (c.runtimeApi === undefined) !== (c.reload === undefined), { message: exactlyOneMessage })
  .meta({ 'x-kubernetes-validations': [{ rule: exactlyOne, message: exactlyOneMessage }] })
  .describe('Deploys a combined PEM to HAProxy on a host and loads it through the Runtime API (hot update) or a reload.');

/** The validated block, as the connector receives it. */
export type HaproxyConfig = z.infer<typeof haproxyConfig>;

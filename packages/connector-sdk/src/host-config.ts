/**
 * Where a file-based connector's files and commands live: the local machine (the operator
 * runs as an agent beside the server) or a remote machine over SSH with a pinned host key.
 * Shared by file, nginx, apache and haproxy so every server connector spells it the same.
 */
import { z } from 'zod';

const absolutePath = z.string().min(1).max(4096).regex(/^\//, 'must be an absolute path');

export const sshHostConfig = z.object({
  address: z
    .string()
    .min(3)
    .max(261)
    .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?):[1-9][0-9]{0,4}$/)
    .describe('host:port of the SSH server.'),
  user: z.string().min(1).max(64).regex(/^[a-z_][a-z0-9_.-]*\$?$/).describe('User to log in as.'),
  credentialsRef: z
    .object({ name: z.string().min(1).max(253).describe('Secret name in the same namespace.') })
    .describe('Secret holding the private key under ssh-privatekey (type kubernetes.io/ssh-auth), optionally a passphrase.'),
  hostKey: z
    .string()
    .max(16384)
    .regex(/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521) [A-Za-z0-9+/=]+( .*)?$/)
    .optional()
    .describe('The pinned host public key, as in known_hosts ("ssh-ed25519 AAAA..."). Required unless trustOnFirstUse is true.'),
  trustOnFirstUse: z
    .boolean()
    .optional()
    .describe('Accept the first host key seen and report it in status for pinning. Off by default; never use it across untrusted networks.'),
});
export type SshHostConfig = z.infer<typeof sshHostConfig>;

export const hostConfig = z
  .object({
    local: z.object({}).optional().describe('The files are on the machine the operator runs on (agent mode).'),
    ssh: sshHostConfig.optional().describe('The files are on a remote machine reached over SSH.'),
  })
  .refine((h) => (h.local !== undefined) !== (h.ssh !== undefined), 'exactly one of local or ssh must be set')
  .refine((h) => !h.ssh || h.ssh.hostKey !== undefined || h.ssh.trustOnFirstUse === true, 'ssh.hostKey is required unless ssh.trustOnFirstUse is true')
  .meta({
    'x-kubernetes-validations': [
      { rule: '[has(self.local), has(self.ssh)].exists_one(x, x)', message: 'exactly one of local or ssh must be set' },
      { rule: '!has(self.ssh) || has(self.ssh.hostKey) || (has(self.ssh.trustOnFirstUse) && self.ssh.trustOnFirstUse)', message: 'ssh.hostKey is required unless ssh.trustOnFirstUse is true' },
    ],
  });
export type HostConfig = z.infer<typeof hostConfig>;

export { absolutePath };

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?):[1-9][0-9]{0,4}$/;

/**
 * `host:port` (IPv6 in brackets). The port range is checked twice: by CEL at admission and
 * by zod in the controller, because a regex cannot say "at most 65535" readably.
 */
export const hostPort = z
  .string()
  .min(3)
  .max(261)
  .regex(HOST_PORT)
  .refine((s) => Number(s.slice(s.lastIndexOf(':') + 1)) <= 65535, 'port must be 1-65535')
  .meta({
    'x-kubernetes-validations': [
      { rule: "int(self.substring(self.lastIndexOf(':') + 1)) <= 65535", message: 'port must be between 1 and 65535' },
    ],
  });

/** File ownership and mode as the CRD spells them. Mode is octal text so YAML cannot misread it. */
export const fileAttributes = {
  owner: z.string().min(1).max(64).optional().describe('Owner (user name or numeric uid) of written files.'),
  group: z.string().min(1).max(64).optional().describe('Group (name or numeric gid) of written files.'),
  certificateMode: z.string().regex(/^0?[0-7]{3}$/).default('0644').describe('Octal mode of certificate files.'),
  privateKeyMode: z.string().regex(/^0?[0-7]{3}$/).default('0600').describe('Octal mode of the private key file; group/other bits are refused except group-read.'),
  layout: z
    .enum(['InPlace', 'Atomic'])
    .default('InPlace')
    .describe(
      'How the files are replaced. InPlace: each file is renamed into place in turn (a reader may briefly see the new certificate with the old key). ' +
        'Atomic: the files live in a versioned directory next to them and change together with one rename of a "..data" symlink; the configured paths become symlinks "name -> ..data/name" (nginx, apache and haproxy follow them). All paths must share one directory; local hosts only for now.',
    ),
};

/** An absolute, lexically normal program path: no `.`/`..`/empty segment, no `=` (env would read it as a variable). */
const ABSOLUTE_PROGRAM = /^(\/[^/\0=]+)+$/;
const ABSOLUTE_PROGRAM_MESSAGE = 'argv[0] must be the absolute path of the program (e.g. /usr/sbin/nginx); nothing is looked up in a PATH';

/**
 * A command as an exact argv vector: run without a shell, the program named by its absolute
 * path, so the binary that runs is the one the policy names and not whatever a PATH finds.
 */
export const argv = z
  .array(z.string().min(1).max(4096))
  .min(1)
  .max(32)
  .refine((a) => ABSOLUTE_PROGRAM.test(a[0] ?? '') && !(a[0] ?? '').split('/').some((s) => s === '.' || s === '..'), ABSOLUTE_PROGRAM_MESSAGE)
  .meta({ 'x-kubernetes-validations': [{ rule: "self[0].startsWith('/')", message: ABSOLUTE_PROGRAM_MESSAGE }] });

/**
 * The DeploymentPolicy spec, in zod: the single source of the cluster-scoped policy CRD, of
 * the controller's validation of policies it reads, and of their TypeScript types. A policy is
 * written by a platform admin and says which namespaces it selects and what CertificateDeployments
 * there may touch: SSH hosts (with pinned host keys) or the operator pod itself, path roots and
 * exact commands on each, dial addresses, credential Secrets and ambient cloud identity.
 * Nothing is allowed unless some policy grants it.
 */
import { z } from 'zod';
import { dnsLabel, dnsSubdomain, hostPort } from './common.ts';

export const MAX_POLICY_ITEMS = 64;

const CANONICAL_RULE = "self == '/' || (self.matches('^(/[^/]+)+$') && !self.contains('/./') && !self.contains('/../') && !self.endsWith('/.') && !self.endsWith('/..'))";
const CANONICAL_MESSAGE = 'must be an absolute canonical path: starts with /, no trailing /, no // and no . or .. segments';
const isCanonical = (s: string) => s === '/' || (/^(\/[^/]+)+$/.test(s) && !s.split('/').some((seg) => seg === '.' || seg === '..'));

/**
 * An absolute path in canonical spelling. Lexical only: the controller cannot know here whether
 * a component is a symlink on the target host; the sandbox resolves that when it acts.
 */
export const canonicalPath = z
  .string()
  .min(1)
  .max(1024)
  .regex(/^\//)
  .refine(isCanonical, CANONICAL_MESSAGE)
  .meta({ 'x-kubernetes-validations': [{ rule: CANONICAL_RULE, message: CANONICAL_MESSAGE }] });

/** One argv element: a literal, or `{name}` matching a placeholder the connector declared. */
const argElement = z.string().min(1).max(1024);

/** An exact argv vector whose program is an absolute canonical path (no PATH lookup, no shell). */
export const policyCommand = z
  .array(argElement)
  .min(1)
  .max(32)
  .refine((a) => a[0] !== undefined && a[0] !== '/' && isCanonical(a[0]), 'the program (first element) must be an absolute canonical path')
  .meta({
    'x-kubernetes-validations': [{
      rule: "self[0] != '/' && self[0].matches('^(/[^/]+)+$') && !self[0].contains('/./') && !self[0].contains('/../') && !self[0].endsWith('/.') && !self[0].endsWith('/..')",
      message: 'the program (first element) must be an absolute canonical path such as /usr/sbin/nginx',
    }],
  });

/** An OpenSSH public host key line ("ssh-ed25519 AAAA..."); a trailing comment is ignored. */
export const hostKeyLine = z
  .string()
  .max(16384)
  .regex(/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521) [A-Za-z0-9+/=]+( .*)?$/);

export const sshHostGrant = z.object({
  address: hostPort.describe('host:port of the SSH server, exactly as targets spell it in host.ssh.address.'),
  hostKeys: z
    .array(hostKeyLine)
    .min(1)
    .max(16)
    .describe('Host public keys the server may present, as in known_hosts ("ssh-ed25519 AAAA..."). A target must pin one of them in host.ssh.hostKey: trust on first use is not allowed under a policy.'),
});

/** Per host: where targets run (one SSH server, or the operator pod) and what they may do there. */
export const hostGrant = z
  .object({
    ssh: sshHostGrant.optional().describe('A remote machine reached over SSH, identified by its address and pinned host keys.'),
    local: z
      .object({})
      .optional()
      .describe('The operator pod itself (host: local, and network-only connectors). Files and commands here run beside the operator\'s own credentials: grant it only for trusted namespaces; prefer SSH hosts or an agent beside the server.'),
    pathRoots: z
      .array(canonicalPath)
      .max(MAX_POLICY_ITEMS)
      .optional()
      .describe('Absolute canonical directories on this host that targets may read and write below. Empty or unset: no file access.'),
    commands: z
      .array(policyCommand)
      .max(MAX_POLICY_ITEMS)
      .optional()
      .describe('Exact argv vectors targets may run on this host, program first as an absolute path, e.g. ["/usr/sbin/nginx", "-s", "reload"]. An element written {name} matches the connector placeholder of that name. Run without a shell.'),
  })
  .refine((h) => (h.ssh !== undefined) !== (h.local !== undefined), 'exactly one of ssh or local must be set')
  .meta({ 'x-kubernetes-validations': [{ rule: '[has(self.ssh), has(self.local)].exists_one(x, x)', message: 'exactly one of ssh or local must be set' }] });
export type HostGrant = z.infer<typeof hostGrant>;

export const labelSelectorRequirement = z.object({
  key: z.string().min(1).max(317).describe('The label key the requirement applies to.'),
  operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']).describe('In, NotIn, Exists or DoesNotExist.'),
  values: z.array(z.string().max(63)).max(64).optional().describe('Values for In and NotIn (non-empty there); empty for Exists and DoesNotExist.'),
});

/** metav1.LabelSelector: matchLabels AND every matchExpression. An empty selector selects every namespace. */
export const labelSelector = z.object({
  matchLabels: z.record(z.string(), z.string().max(63)).optional().describe('Labels a namespace must carry, each with exactly this value.'),
  matchExpressions: z.array(labelSelectorRequirement).max(16).optional().describe('Requirements a namespace\'s labels must all meet.'),
});
export type LabelSelector = z.infer<typeof labelSelector>;

/** A plugin an admin allows, pinned by the sha256 of its .wasm file. */
export const pluginPin = z.object({
  name: dnsLabel.describe('The plugin\'s manifest name, as targets write it in plugin.name.'),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'lowercase hex SHA-256 (64 characters)')
    .describe('Lowercase hex SHA-256 of the plugin\'s .wasm file (sha256sum). A plugin whose file has another digest is refused.'),
});
export type PluginPin = z.infer<typeof pluginPin>;

export const policySpec = z
  .object({
    namespaces: z
      .array(dnsLabel)
      .max(256)
      .optional()
      .describe('Namespaces this policy applies to, by name. Combined with namespaceSelector by OR.'),
    namespaceSelector: labelSelector
      .optional()
      .describe('Namespaces this policy applies to, by label. An empty selector ({}) selects every namespace.'),
    hosts: z
      .array(hostGrant)
      .max(MAX_POLICY_ITEMS)
      .optional()
      .describe('Hosts targets may run on, each with the path roots and commands allowed there. A target whose host is not listed can do nothing.'),
    dial: z
      .array(hostPort)
      .max(256)
      .optional()
      .describe('Exact host:port addresses targets may connect to: verification endpoints, cloud and appliance APIs. SSH addresses of hosts entries are allowed by those entries.'),
    credentialSecrets: z
      .array(dnsSubdomain)
      .max(256)
      .optional()
      .describe('Names of Secrets (in the target\'s own namespace) that targets may reference as credentials: host.ssh.credentialsRef and connector credentialsRef.'),
    ambientCloudIdentity: z
      .boolean()
      .default(false)
      .describe('Whether cloud connectors may use the operator pod\'s own cloud identity (IRSA, workload identity) instead of a credentials Secret.'),
    plugins: z
      .array(pluginPin)
      .max(MAX_POLICY_ITEMS)
      .optional()
      .describe('WASM plugins targets in the selected namespaces may use, each pinned by its sha256. A plugin is loaded for a target only when a selecting policy pins exactly its digest; unrestricted does not waive this.'),
    unrestricted: z
      .boolean()
      .default(false)
      .describe('Grants everything in the selected namespaces (any host, path, command, address, Secret; trust on first use), as releases before DeploymentPolicy did. Only for namespaces whose writers are as trusted as the platform admin, or during migration; the --policy flag still bounds it.'),
  })
  .refine((s) => s.namespaces !== undefined || s.namespaceSelector !== undefined, 'set namespaces, namespaceSelector or both')
  .meta({ 'x-kubernetes-validations': [{ rule: 'has(self.namespaces) || has(self.namespaceSelector)', message: 'set namespaces, namespaceSelector or both' }] });
export type PolicySpec = z.infer<typeof policySpec>;

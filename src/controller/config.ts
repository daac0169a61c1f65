/**
 * Process configuration from flags (and CERT_DEPLOYER_* environment variables as fallback),
 * validated by zod so a typo fails at start-up with the flag's name instead of at 3 a.m.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';

/**
 * `--policy`: the upper bound over every DeploymentPolicy. It grants nothing (deny by default
 * comes from the policies); it caps what they grant, cluster-wide, so one mistaken policy cannot
 * exceed it. An unset list does not bound; `[]` allows nothing of that kind.
 */
const policySchema = z
  .object({
    pathRoots: z.array(z.string().regex(/^\//, 'path roots must be absolute')).optional(),
    hosts: z.array(z.string().min(3)).optional(),
    commands: z.array(z.array(z.string().min(1)).min(1)).optional(),
    ambientCloudIdentity: z.boolean().default(false),
  })
  .strict();

export const configSchema = z.object({
  kubeconfig: z.string().optional(),
  /** Empty: cluster-wide. Otherwise only these namespaces, and no cluster-wide Secret access. */
  namespaces: z.array(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)).default([]),
  metricsBindAddress: z.string().regex(/^([^:]*|\[[0-9A-Fa-f:.]+\]):\d+$/, 'host:port, IPv6 in brackets').default('0.0.0.0:8080'),
  leaderElect: z.boolean().default(true),
  leaderElectionNamespace: z.string().default('cert-deployer'),
  leaderElectionId: z.string().default('cert-deployer-controller'),
  identity: z.string().min(1),
  concurrency: z.int().min(1).max(64).default(4),
  deployTimeoutSeconds: z.int().min(1).max(3600).default(300),
  shutdownGraceSeconds: z.int().min(1).max(600).default(25),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
  /** Upper bound over all DeploymentPolicies (see policySchema). */
  policy: policySchema.default({ ambientCloudIdentity: false }),
});
export type Config = z.infer<typeof configSchema>;

const FLAGS = {
  kubeconfig: { type: 'string' },
  namespaces: { type: 'string' },
  'metrics-bind-address': { type: 'string' },
  'leader-elect': { type: 'string' },
  'leader-election-namespace': { type: 'string' },
  'leader-election-id': { type: 'string' },
  identity: { type: 'string' },
  concurrency: { type: 'string' },
  'deploy-timeout-seconds': { type: 'string' },
  'shutdown-grace-seconds': { type: 'string' },
  'log-level': { type: 'string' },
  policy: { type: 'string' },
} as const;

const envName = (flag: string) => `CERT_DEPLOYER_${flag.toUpperCase().replaceAll('-', '_')}`;

/**
 * Parses argv and env into a validated Config. `policy` is JSON (Helm renders it from values);
 * `namespaces` is comma-separated. Throws an Error naming each bad flag.
 */
export function loadConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, defaultIdentity: string): Config {
  const { values } = parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false });
  const get = (flag: keyof typeof FLAGS) => (values as Record<string, string | undefined>)[flag] ?? env[envName(flag)];
  const num = (flag: keyof typeof FLAGS) => (get(flag) === undefined ? undefined : Number(get(flag)));
  const bool = (flag: keyof typeof FLAGS) => (get(flag) === undefined ? undefined : get(flag) === 'true');
  let policy: unknown;
  const policyText = get('policy');
  if (policyText !== undefined) {
    try {
      policy = JSON.parse(policyText);
    } catch (err) {
      throw new Error(`--policy is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
  }
  const raw = {
    kubeconfig: get('kubeconfig') ?? env.KUBECONFIG,
    namespaces: get('namespaces')?.split(',').map((s) => s.trim()).filter(Boolean),
    metricsBindAddress: get('metrics-bind-address'),
    leaderElect: bool('leader-elect'),
    leaderElectionNamespace: get('leader-election-namespace') ?? env.POD_NAMESPACE,
    leaderElectionId: get('leader-election-id'),
    identity: get('identity') ?? env.POD_NAME ?? defaultIdentity,
    concurrency: num('concurrency'),
    deployTimeoutSeconds: num('deploy-timeout-seconds'),
    shutdownGraceSeconds: num('shutdown-grace-seconds'),
    logLevel: get('log-level'),
    policy,
  };
  const parsed = configSchema.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)));
  if (!parsed.success) {
    throw new Error(`invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

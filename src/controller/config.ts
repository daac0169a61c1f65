/**
 * Process configuration from flags (and CERT_DEPLOYER_* environment variables as fallback),
 * validated by zod so a typo fails at start-up with the flag's name instead of at 3 a.m.
 *
 * {@link FLAGS} is the one table every other view derives from: the `parseArgs` options, the
 * environment variable names, `--help` (see cli-help.ts) and the flag named in each error.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { CertDeployerError, ErrorCode, hasCode } from '../core/errors.ts';
import { CONNECTOR_RUNTIMES } from './pipeline/connector-runtime.ts';

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

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export const LOG_FORMATS = ['json', 'text'] as const;

export const configSchema = z.object({
  kubeconfig: z.string().min(1).optional(),
  /** Empty: cluster-wide. Otherwise only these namespaces, and no cluster-wide Secret access. */
  namespaces: z.array(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'each namespace must be a DNS label')).default([]),
  metricsBindAddress: z.string().regex(/^([^:]*|\[[0-9A-Fa-f:.]+\]):\d+$/, 'host:port, IPv6 in brackets').default('0.0.0.0:8080'),
  leaderElect: z.boolean().default(true),
  leaderElectionNamespace: z.string().min(1).default('cert-deployer'),
  leaderElectionId: z.string().min(1).default('cert-deployer-controller'),
  identity: z.string().min(1),
  concurrency: z.int().min(1).max(64).default(4),
  deployTimeoutSeconds: z.int().min(1).max(3600).default(300),
  /** Drift checks (re-verifications of Ready targets) in flight at once, across all deployments. */
  driftConcurrency: z.int().min(1).max(256).default(8),
  shutdownGraceSeconds: z.int().min(1).max(600).default(25),
  logLevel: z.enum(LOG_LEVELS).default('info'),
  /** `json` for log collectors (Kubernetes), `text` for a human at a terminal. */
  logFormat: z.enum(LOG_FORMATS).default('json'),
  /** Where connector code runs: a confined permission-model worker, or the operator process. */
  connectorRuntime: z.enum(CONNECTOR_RUNTIMES).default('worker'),
  /** Upper bound over all DeploymentPolicies (see policySchema). */
  policy: policySchema.default({ ambientCloudIdentity: false }),
  /**
   * Weak keys and signatures (RSA < 2048 bits or exponent < 65537, SHA-1/MD5): `Warn` deploys
   * and sets the WeakCredential condition; `Refuse` refuses the Secret (see docs/security.md).
   */
  weakCredentials: z.enum(['Warn', 'Refuse']).default('Warn'),
  /** Opt-in: append one JSON line per target deploy start/end here (fault audits; no key material). */
  deploySpanFile: z.string().regex(/^\//, 'must be an absolute path').optional(),
  /** Directory of installed WASM plugins (`*.wasm`, usually a mounted ConfigMap); unset: no plugins. */
  pluginDir: z.string().regex(/^\//, 'an absolute path').optional(),
});
export type Config = z.infer<typeof configSchema>;

/** How a flag's text becomes a value. */
export type FlagKind = 'string' | 'list' | 'bool' | 'int' | 'json' | 'switch';

/** One command-line flag. */
export interface FlagSpec {
  /** Config field it sets; absent for switches that are actions (--help, --version). */
  readonly key?: keyof Config;
  readonly kind: FlagKind;
  /** For --help: what it does. */
  readonly help: string;
  /** For --help: the placeholder of the value. */
  readonly value?: string;
  /** Further environment variables read after CERT_DEPLOYER_<FLAG>, in order (e.g. POD_NAME). */
  readonly alsoEnv?: readonly string[];
  /** For --help when the default is not a static value (computed at start-up). */
  readonly defaultText?: string;
}

/** Every flag cert-deployer accepts, in --help order. */
export const FLAGS = {
  kubeconfig: { key: 'kubeconfig', kind: 'string', value: 'PATH', alsoEnv: ['KUBECONFIG'], defaultText: 'in-cluster config, else ~/.kube/config', help: 'kubeconfig file to reach the API server; unset inside a pod' },
  namespaces: { key: 'namespaces', kind: 'list', value: 'NS[,NS...]', defaultText: 'all namespaces', help: 'watch only these namespaces (comma-separated)' },
  'metrics-bind-address': { key: 'metricsBindAddress', kind: 'string', value: 'HOST:PORT', help: 'address of /metrics, /healthz and /readyz (IPv6 in brackets)' },
  'leader-elect': { key: 'leaderElect', kind: 'bool', value: 'true|false', help: 'elect a leader through a Lease so only one replica reconciles' },
  'leader-election-namespace': { key: 'leaderElectionNamespace', kind: 'string', value: 'NS', alsoEnv: ['POD_NAMESPACE'], help: 'namespace of the leader election Lease' },
  'leader-election-id': { key: 'leaderElectionId', kind: 'string', value: 'NAME', help: 'name of the leader election Lease' },
  identity: { key: 'identity', kind: 'string', value: 'NAME', alsoEnv: ['POD_NAME'], defaultText: '<hostname>-<random>', help: 'this replica\'s name in the Lease and in Events' },
  concurrency: { key: 'concurrency', kind: 'int', value: 'N', help: 'deployments reconciled in parallel (1-64)' },
  'drift-concurrency': { key: 'driftConcurrency', kind: 'int', value: 'N', help: 'drift checks (re-verifications of Ready targets) in flight at once, all deployments together (1-256)' },
  'deploy-timeout-seconds': { key: 'deployTimeoutSeconds', kind: 'int', value: 'N', help: 'upper bound of one target deploy (1-3600)' },
  'shutdown-grace-seconds': { key: 'shutdownGraceSeconds', kind: 'int', value: 'N', help: 'time in-flight deploys get after SIGTERM (1-600)' },
  'log-level': { key: 'logLevel', kind: 'string', value: LOG_LEVELS.join('|'), help: 'least severe level logged' },
  'log-format': { key: 'logFormat', kind: 'string', value: LOG_FORMATS.join('|'), help: 'json (one object per line, for log collectors) or text (for humans)' },
  'connector-runtime': { key: 'connectorRuntime', kind: 'string', value: CONNECTOR_RUNTIMES.join('|'), help: 'where connector code runs: worker (a Node permission-model process with no file, network or process access of its own; every Sandbox call is checked here) or in-process (no runtime confinement); see docs/confinement.md' },
  policy: { key: 'policy', kind: 'json', value: 'JSON', help: 'operator policy {pathRoots, hosts, commands, ambientCloudIdentity}; narrows every grant' },
  'weak-credentials': { key: 'weakCredentials', kind: 'string', value: 'Warn|Refuse', help: 'RSA under 2048 bits or SHA-1/MD5 signatures: deploy with a WeakCredential condition (Warn) or refuse the Secret (Refuse)' },
  'deploy-span-file': { key: 'deploySpanFile', kind: 'string', value: 'PATH', defaultText: 'off', help: 'append a JSON line per target deploy start/end (deployment, target, fingerprint prefix, time; no key material), for fault audits' },
  'plugin-dir': { key: 'pluginDir', kind: 'string', value: 'DIR', defaultText: 'no plugins', help: 'directory of installed WASM plugins (*.wasm, e.g. a mounted ConfigMap); each must be pinned by a DeploymentPolicy' },
  help: { kind: 'switch', help: 'print this help and exit' },
  version: { kind: 'switch', help: 'print the version and commit and exit' },
} as const satisfies Record<string, FlagSpec>;
export type FlagName = keyof typeof FLAGS;

/** The primary environment variable of a flag (`--log-level` → `CERT_DEPLOYER_LOG_LEVEL`). */
export const envName = (flag: string): string => `CERT_DEPLOYER_${flag.toUpperCase().replaceAll('-', '_')}`;

/** How errors and help name a flag: `--log-level (CERT_DEPLOYER_LOG_LEVEL)`. */
export const flagLabel = (flag: FlagName): string => (FLAGS[flag].kind === 'switch' ? `--${flag}` : `--${flag} (${envName(flag)})`);

/** A configuration error that names the flag; the process exits with code 2 (usage). */
export class ConfigError extends CertDeployerError {
  constructor(message: string) {
    super(ErrorCode.Config, message, { retryable: false });
    this.name = 'ConfigError';
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasCode(value, ErrorCode.Config);
  }
}

/** What the command line asks for. */
export type Invocation = { readonly mode: 'help' } | { readonly mode: 'version' } | { readonly mode: 'run'; readonly config: Config };

const PARSE_OPTIONS = Object.fromEntries(Object.entries(FLAGS).map(([flag, spec]) => [flag, { type: spec.kind === 'switch' ? 'boolean' : 'string' }])) as Record<FlagName, { type: 'string' | 'boolean' }>;
const FLAG_OF_KEY = new Map<string, FlagName>(Object.entries(FLAGS).flatMap(([flag, spec]) => ('key' in spec ? [[spec.key as string, flag as FlagName]] : [])));

/**
 * Parses argv and env. `--help` and `--version` win over everything else (even over bad
 * flags after them), as users expect. Throws {@link ConfigError} naming each bad flag.
 */
export function parseInvocation(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, defaultIdentity: string): Invocation {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options: PARSE_OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    if (argv.includes('--help') || argv.includes('-h')) return { mode: 'help' };
    throw new ConfigError(`${firstSentence((err as Error).message)}; run cert-deployer --help for the flags`);
  }
  if (values.help === true) return { mode: 'help' };
  if (values.version === true) return { mode: 'version' };
  return { mode: 'run', config: buildConfig(values, env, defaultIdentity) };
}

/**
 * Parses argv and env into a validated Config (for callers that only run, e.g. the chart
 * tests checking rendered args). `policy` is JSON; `namespaces` is comma-separated.
 */
export function loadConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, defaultIdentity: string): Config {
  const inv = parseInvocation(argv, env, defaultIdentity);
  if (inv.mode !== 'run') throw new ConfigError(`--${inv.mode} does not start the controller`);
  return inv.config;
}

function buildConfig(values: Record<string, string | boolean | undefined>, env: Readonly<Record<string, string | undefined>>, defaultIdentity: string): Config {
  const problems: string[] = [];
  const raw: Record<string, unknown> = {};
  for (const [flag, spec] of Object.entries(FLAGS) as [FlagName, FlagSpec][]) {
    if (spec.key === undefined) continue;
    const fromFlag = values[flag];
    const text = typeof fromFlag === 'string' ? fromFlag : [envName(flag), ...(spec.alsoEnv ?? [])].map((n) => env[n]).find((v) => v !== undefined && v !== '');
    if (text === undefined) continue;
    const value = convert(spec.kind, text);
    if (value instanceof Error) problems.push(`${flagLabel(flag)}: ${value.message}`);
    else raw[spec.key] = value;
  }
  raw.identity ??= defaultIdentity;
  if (problems.length === 0) {
    const parsed = configSchema.safeParse(raw);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      const [key, ...rest] = issue.path.map(String);
      const flag = FLAG_OF_KEY.get(key ?? '');
      const where = flag ? flagLabel(flag) : key ?? '(configuration)';
      problems.push(`${where}: ${rest.length ? `${rest.join('.')}: ` : ''}${issue.message}`);
    }
  }
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}

/** Text to typed value; an Error says why not (without the flag, which the caller adds). */
function convert(kind: FlagKind, text: string): unknown {
  switch (kind) {
    case 'list':
      return text.split(',').map((s) => s.trim()).filter(Boolean);
    case 'bool':
      if (text === 'true' || text === 'false') return text === 'true';
      return new Error(`expected true or false, got ${JSON.stringify(text)}`);
    case 'int':
      return /^-?\d+$/.test(text.trim()) ? Number(text) : new Error(`expected an integer, got ${JSON.stringify(text)}`);
    case 'json':
      try {
        return JSON.parse(text) as unknown;
      } catch (err) {
        return new Error(`not valid JSON: ${(err as Error).message}`);
      }
    default:
      return text;
  }
}

const firstSentence = (message: string): string => message.split('. ')[0]!.replace(/\.$/, '');

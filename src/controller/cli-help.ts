/**
 * `cert-deployer --help`, generated from the one flag table ({@link FLAGS}) and the defaults of
 * the config schema, so the help text cannot drift from what the parser accepts.
 */
import { FLAGS, configSchema, envName, type FlagName, type FlagSpec } from './config.ts';

/** The schema's own defaults (identity is computed per process, so a placeholder here). */
function defaults(): Record<string, unknown> {
  return configSchema.parse({ identity: '-' });
}

function defaultOf(spec: FlagSpec, all: Record<string, unknown>): string | undefined {
  if (spec.defaultText !== undefined) return spec.defaultText;
  if (spec.key === undefined) return undefined;
  const value = all[spec.key];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The full help text: usage, then one block per flag with its default and environment variables. */
export function renderHelp(): string {
  const all = defaults();
  const lines = [
    'Usage: cert-deployer [flags]',
    '',
    'Deploys renewed TLS certificates from Kubernetes Secrets to the targets named by',
    'CertificateDeployment objects. Each flag can also be set by its environment variable;',
    'a flag wins over the environment. Exit codes: 0 stopped cleanly, 1 runtime failure,',
    '2 bad configuration or no usable kubeconfig.',
    '',
    'Flags:',
  ];
  for (const [flag, spec] of Object.entries(FLAGS) as [FlagName, FlagSpec][]) {
    lines.push(`  --${flag}${spec.value ? ` ${spec.value}` : ''}`);
    lines.push(`      ${spec.help}`);
    if (spec.kind === 'switch') continue;
    const def = defaultOf(spec, all);
    lines.push(`      default: ${def ?? '(none)'}`);
    lines.push(`      env: ${[envName(flag), ...(spec.alsoEnv ?? [])].join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

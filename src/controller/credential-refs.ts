/**
 * The credentials Secrets a target reads: what its connector names (`secretRefs`) and the SSH
 * key Secret of its host (`host.ssh.credentialsRef`). One function, so the policy check
 * (prepare-target), the Secret index (a changed credentials Secret re-runs the deployment) and
 * the spec hash (a terminal failure over a fixed Secret retries at once) agree on the list.
 */
import type { ConnectorDefinition } from '@cert-deployer/connector-sdk';
import { connectorBlockOf, type ConnectorRegistry } from './pipeline/prepare-target.ts';

/** The credentials Secret names of a parsed configuration, de-duplicated, connector refs first. */
export function credentialRefsOf(definition: ConnectorDefinition<unknown>, config: unknown): string[] {
  const ssh = definition.hostOf?.(config)?.ssh;
  return [...new Set([...(definition.secretRefs?.(config) ?? []), ...(ssh ? [ssh.credentialsRef.name] : [])])];
}

/** The credentials Secret names of a target as the spec holds it; none when its block is invalid. */
export function credentialSecretsOfTarget(registry: ConnectorRegistry, target: Readonly<Record<string, unknown>>): string[] {
  const found = connectorBlockOf(registry, target);
  if (!found) return [];
  const parsed = found.definition.configSchema.safeParse(found.block);
  return parsed.success ? credentialRefsOf(found.definition, parsed.data) : [];
}

/**
 * What the informer cache says about each credentials Secret of `target`: `name=resourceVersion`
 * (or `name=absent`), for the target's spec hash. `undefined` when the target reads none, so
 * targets without credentials keep the hash they had. Pure over the cache lookup.
 */
export function credentialVersions(
  registry: ConnectorRegistry,
  target: Readonly<Record<string, unknown>>,
  meta: (name: string) => { readonly resourceVersion?: string | undefined } | undefined,
): string | undefined {
  const names = credentialSecretsOfTarget(registry, target);
  if (names.length === 0) return undefined;
  return names.map((n) => `${n}=${meta(n)?.resourceVersion ?? 'absent'}`).join(',');
}

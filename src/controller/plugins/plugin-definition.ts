/**
 * The registry entry behind the `plugin` target block: it turns an installed plugin (from the
 * catalog the operator loaded at start) into a connector definition the one target pipeline
 * uses like any other. `admit` is the plugin-specific gate prepare-target runs before anything
 * else happens: the plugin must be installed, pinned by digest in a DeploymentPolicy selecting
 * the namespace, and the target's config must validate against the manifest's JSON Schema.
 */
import type { Connector, ConnectorDefinition, HostConfig } from '@cert-deployer/connector-sdk';
import { PLUGIN_BLOCK, pluginBlock, type PluginBlock } from '../../crds/plugin-block.ts';
import type { PolicySpec } from '../../crds/policy-spec.ts';
import type { PluginCatalog, PluginLimits, PluginPool } from '../../sandbox/wasm/index.ts';
import { Reason } from '../reasons.ts';
import { createPluginConnector } from './plugin-connector.ts';
import { pinDecision, type PluginIdentity } from './plugin-pins.ts';

export type Admission =
  | { readonly ok: true; readonly connector: Connector; readonly plugin: PluginIdentity; readonly pinnedBy: readonly string[] }
  | { readonly ok: false; readonly reason: Reason; readonly message: string; readonly plugin?: PluginIdentity; readonly policies?: readonly string[] };

type SelectingPolicy = { readonly metadata: { readonly name: string }; readonly spec: Pick<PolicySpec, 'plugins'> };

export interface PluginDefinition extends ConnectorDefinition<PluginBlock> {
  /** The gate before any I/O: installed, pinned, config valid. */
  admit(block: PluginBlock, namespace: string, selecting: readonly SelectingPolicy[]): Admission;
}

/** Whether a registry entry is the plugin definition (it carries `admit`). */
export function isPluginDefinition(d: ConnectorDefinition<unknown>): d is ConnectorDefinition<unknown> & PluginDefinition {
  return typeof (d as Partial<PluginDefinition>).admit === 'function';
}

function configIssues(e: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return e.issues.map((i) => `config${i.path.map((p) => `.${String(p)}`).join('')}: ${i.message}`).join('; ');
}

/** The `plugin` block's definition over `catalog`; `pool` (optional) starts instances ahead. */
export function pluginDefinition(catalog: PluginCatalog, limits?: PluginLimits, pool?: PluginPool): PluginDefinition {
  const validated = (block: PluginBlock) => {
    const artifact = catalog.plugins.get(block.name);
    if (artifact === undefined) return { ok: false as const, reason: Reason.PluginNotInstalled, message: notInstalled(catalog, block.name) };
    const identity: PluginIdentity = { name: artifact.name, version: artifact.version, sha256: artifact.digest };
    const config = artifact.configSchema.safeParse(block.config ?? {});
    return { ok: true as const, artifact, identity, config };
  };
  return {
    name: PLUGIN_BLOCK,
    configSchema: pluginBlock,
    // Undefined for a plugin that only talks to APIs; prepare-target treats it as "no host".
    hostOf: (block) => block.host as HostConfig,
    create(block) {
      const v = validated(block);
      if (!v.ok) throw new Error(v.message);
      if (!v.config.success) throw new Error(`invalid plugin config: ${configIssues(v.config.error)}`);
      return createPluginConnector(v.artifact, v.config.data, limits, pool);
    },
    admit(block, namespace, selecting) {
      const v = validated(block);
      if (!v.ok) return { ok: false, reason: v.reason, message: v.message };
      const pins = pinDecision(v.identity, namespace, selecting);
      if (!pins.ok) return { ok: false, reason: pins.reason, message: pins.message, plugin: v.identity, policies: pins.policies };
      if (!v.config.success) return { ok: false, reason: Reason.InvalidSpec, message: `invalid config for plugin ${block.name} ${v.identity.version}: ${configIssues(v.config.error)}`, plugin: v.identity };
      return { ok: true, connector: createPluginConnector(v.artifact, v.config.data, limits, pool), plugin: v.identity, pinnedBy: pins.policies };
    },
  };
}

function notInstalled(catalog: PluginCatalog, name: string): string {
  const refused = catalog.problems.filter((p) => p.message.includes(name)).map((p) => p.message);
  const installed = [...catalog.plugins.keys()].sort();
  return `plugin ${name} is not installed in the operator${installed.length > 0 ? ` (installed: ${installed.join(', ')})` : ' (no plugins are installed: see docs/plugins.md)'}${refused.length > 0 ? `; refused at load: ${refused.join('; ')}` : ''}`;
}

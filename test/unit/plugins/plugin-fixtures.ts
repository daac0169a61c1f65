/**
 * Test helpers for plugin-backed connectors: the example plugins built from source by
 * hack/plugins/build.ts (cached by content hash under ~/.cache/cert-deployer/plugins, so a
 * fresh clone builds them on first use) and loaded through the operator's own loader.
 */
import { buildPlugin } from '../../../hack/plugins/build.ts';
import { pluginDefinition } from '../../../src/controller/plugins/plugin-definition.ts';
import type { Connector } from '@cert-deployer/connector-sdk';
import { catalogOf, loadPluginFile, type PluginArtifact, type PluginLimits, type PluginPool } from '../../../src/sandbox/wasm/index.ts';
import type { FileTargetContext } from '@cert-deployer/connector-sdk/conformance';

/** Builds (or reuses) and loads the plugin in examples/plugins/<name>. */
export async function loadExamplePlugin(name: string): Promise<PluginArtifact> {
  return loadPluginFile((await buildPlugin(name)).path);
}

/** The connector the `plugin` block makes for `config`, exactly as the registry entry does. */
export function pluginConnectorFor(artifact: PluginArtifact, block: { host?: unknown; config: Record<string, unknown> }, limits?: PluginLimits, pool?: PluginPool): Connector {
  const def = pluginDefinition(catalogOf([artifact]), limits, pool);
  return def.create(def.configSchema.parse({ name: artifact.name, ...block }));
}

/** The pem-files plugin for a conformance file target. */
export function pemFilesFor(artifact: PluginArtifact): (ctx: FileTargetContext) => Connector {
  return (ctx) => pluginConnectorFor(artifact, {
    host: ctx.host,
    config: { certificatePath: ctx.certificatePath, privateKeyPath: ctx.privateKeyPath, reload: ctx.reloadArgv },
  });
}

/**
 * What the plugin ABI (v1) has no export for: `inspect` and `plan` are optional connector
 * methods and a plugin cannot provide them yet (docs/plugins.md), so its conformance run opts
 * out of those cases with that reason instead of failing on a missing method.
 */
export const PLUGIN_OPT_OUTS = {
  inspect: 'the plugin ABI v1 has no inspect export: drift checks of plugin targets use the TLS endpoints only',
  plan: 'the plugin ABI v1 has no plan export: a plugin target in mode: Plan reports that it cannot plan',
} as const;

/** A conformance fixture with the plugin opt-outs added to its own. */
export function forPlugins<F extends { readonly skip?: object }>(fixture: F): F {
  return { ...fixture, skip: { ...fixture.skip, ...PLUGIN_OPT_OUTS } };
}

/**
 * The `plugin` target block: a connector loaded as a WASM plugin (docs/plugins.md) instead of
 * one compiled into the operator. The block names an installed plugin, the host its files and
 * commands live on (like a server connector's `host`), and the plugin's own configuration,
 * which the operator validates against the JSON Schema the plugin's manifest ships. It is
 * part of every target schema, beside the registered connector blocks.
 */
import { z } from 'zod';
import { hostConfig } from '@cert-deployer/connector-sdk';
import { dnsLabel } from './common.ts';

export const PLUGIN_BLOCK = 'plugin';

export const pluginBlock = z
  .object({
    name: dnsLabel.describe('Name of the installed plugin (the name in its manifest). A DeploymentPolicy selecting this namespace must pin its sha256 in spec.plugins.'),
    host: hostConfig
      .optional()
      .describe('Where the plugin\'s files and commands live: local (agent mode) or ssh. Omit for plugins that only talk to APIs (they get no file or exec access).'),
    config: z
      .record(z.string(), z.unknown())
      .optional()
      .meta({ 'x-kubernetes-preserve-unknown-fields': true })
      .describe('The plugin\'s configuration, validated by the operator against the JSON Schema in the plugin\'s manifest (defaults applied). Never put credentials here.'),
  })
  .describe('A connector loaded as a WASM plugin (Extism): it runs with no file system or network of its own and reaches the target only through the checked sandbox, within the grant its manifest declares.');
export type PluginBlock = z.infer<typeof pluginBlock>;

/**
 * The manifest a cert-deployer WASM plugin ships, embedded in the .wasm as the custom section
 * `cert-deployer.manifest` (so the digest an admin pins covers it, and reading it runs no plugin
 * code). It names the plugin, gives its version, the JSON Schema of its configuration and the
 * grant it declares — as a template over that configuration, so the operator computes the
 * exact grant of each target without asking the plugin (docs/plugins.md).
 */
import { z } from 'zod';

/** The custom section the manifest lives in. */
export const MANIFEST_SECTION = 'cert-deployer.manifest';

/** The host ABI this operator speaks (host function names and JSON shapes, docs/plugins.md). */
export const PLUGIN_ABI = 1;

/** A JSON pointer (RFC 6901) into the target's plugin config, e.g. `/certificatePath`. */
const configRef = z.strictObject({ config: z.string().max(256).regex(/^(\/[^/]*)+$/, 'a JSON pointer such as /certificatePath') });
export type ConfigRef = z.infer<typeof configRef>;

/**
 * One grant item: a literal, or the value at a config pointer. A pointer to an array of
 * strings stands for its elements (several roots, or argv elements spliced in place); a
 * pointer to nothing (an optional field left out) drops a root, or the whole exec rule.
 */
const templateItem = z.union([z.string().min(1).max(1024), configRef]);
export type TemplateItem = z.infer<typeof templateItem>;

const MAX_ITEMS = 64;

export const grantTemplate = z.strictObject({
  read: z.array(templateItem).max(MAX_ITEMS).default([]),
  write: z.array(templateItem).max(MAX_ITEMS).default([]),
  dial: z.array(templateItem).max(MAX_ITEMS).default([]),
  exec: z.array(z.strictObject({ argv: z.array(templateItem).min(1).max(32) })).max(MAX_ITEMS).default([]),
});
export type GrantTemplate = z.infer<typeof grantTemplate>;

export const pluginManifest = z.strictObject({
  abi: z.literal(PLUGIN_ABI),
  /** The name targets use in `plugin.name`: a DNS label, as connector block names are stable identifiers. */
  name: z.string().min(1).max(63).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a DNS label (lowercase letters, digits, -)'),
  version: z.string().min(1).max(64).regex(/^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/, 'a semantic version such as 1.2.3'),
  description: z.string().max(1024).optional(),
  /** Which exported functions implement deploy (required) and undeploy (optional). */
  exports: z.strictObject({ deploy: z.string().min(1).max(128), undeploy: z.string().min(1).max(128).optional() }).default({ deploy: 'deploy' }),
  /** JSON Schema of the target's `plugin.config`; the operator validates every target against it. */
  configSchema: z.record(z.string(), z.unknown()),
  grant: grantTemplate,
});
export type PluginManifest = z.infer<typeof pluginManifest>;

/**
 * The WASM plugin runtime (Extism): the sandbox's side of out-of-tree connectors. It loads
 * plugin files (digest, manifest, limits — no plugin code runs), computes a target's grant from
 * the manifest's template, and runs a plugin export against a checked Sandbox whose methods
 * are the plugin's only way out. Which plugin a target may use (digest pins) is the
 * controller's decision; this module only loads and runs.
 */
export { artifactFromBytes, MAX_PLUGIN_BYTES, MAX_PLUGIN_MEMORY_PAGES, PluginLoadError, sha256Hex, type PluginArtifact } from './plugin-artifact.ts';
export { catalogOf, EMPTY_CATALOG, loadPluginDir, loadPluginFile, type PluginCatalog } from './plugin-store.ts';
export { MANIFEST_SECTION, PLUGIN_ABI, pluginManifest, type PluginManifest } from './plugin-manifest.ts';
export { atPointer, grantFromTemplate } from './grant-template.ts';
export { deployOutput, HOST_FUNCTIONS, HOST_NAMESPACE, type DeployOutput } from './plugin-abi.ts';
export { callPlugin, type PluginCallResult } from './plugin-runtime.ts';
export { DEFAULT_PLUGIN_LIMITS, type PluginLimits } from './plugin-instance.ts';
export { PluginPool } from './plugin-pool.ts';
export { CallState } from './host-functions.ts';
export { PluginError } from './plugin-error.ts';

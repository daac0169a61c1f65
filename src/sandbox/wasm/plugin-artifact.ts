/**
 * A plugin as the operator holds it after loading, before any of its code has run: the
 * compiled module, its sha256 digest (what a DeploymentPolicy pins), its manifest (read from
 * the custom section) and the JSON Schema of its config compiled for validation. Building
 * one is pure apart from compiling; reading the bytes is `plugin-store.ts`.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CertDeployerError, ErrorCode } from '@cert-deployer/connector-sdk/sandbox';
import { MANIFEST_SECTION, pluginManifest, type PluginManifest } from './plugin-manifest.ts';
import { wasm, type WasmModule } from './wasm-api.ts';
import { definedMemories, importsMemory } from './wasm-binary.ts';

/** The largest linear memory a plugin may declare: 512 pages of 64 KiB = 32 MiB. */
export const MAX_PLUGIN_MEMORY_PAGES = 512;
/** The largest plugin file read (a ConfigMap holds at most 1 MiB; a volume may hold more). */
export const MAX_PLUGIN_BYTES = 16 << 20;

export interface PluginArtifact {
  readonly name: string;
  readonly version: string;
  /** Lowercase hex sha256 of the .wasm bytes. */
  readonly digest: string;
  readonly manifest: PluginManifest;
  readonly module: WasmModule;
  /** Validates a target's `plugin.config` against the manifest's JSON Schema (defaults applied). */
  readonly configSchema: z.ZodType<unknown>;
  /** Where it was loaded from, for messages. */
  readonly source: string;
}

/** Why a plugin file was refused; the operator keeps running without it. */
export class PluginLoadError extends CertDeployerError {
  readonly source: string;
  constructor(source: string, message: string) {
    super(ErrorCode.PluginLoad, `plugin ${source}: ${message}`, { retryable: false });
    this.name = 'PluginLoadError';
    this.source = source;
  }
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Imports a plugin may have: Extism's kernel and the cert-deployer host functions. No WASI, no other module. */
const ALLOWED_IMPORT_MODULES = new Set(['extism:host/env', 'extism:host/user']);

/**
 * Compiles `bytes` and reads its manifest. Refuses (PluginLoadError): no or invalid manifest,
 * an unsupported ABI, imports beyond Extism's (WASI included), an imported memory, a memory
 * without a maximum or above {@link MAX_PLUGIN_MEMORY_PAGES}, a missing deploy export, a
 * config schema that is not a usable JSON Schema.
 */
export async function artifactFromBytes(bytes: Uint8Array, source: string): Promise<PluginArtifact> {
  if (bytes.byteLength > MAX_PLUGIN_BYTES) throw new PluginLoadError(source, `larger than ${MAX_PLUGIN_BYTES} bytes`);
  const digest = sha256Hex(bytes);
  let module: WasmModule;
  try {
    module = await wasm.compile(bytes);
  } catch (err) {
    throw new PluginLoadError(source, `not a valid WebAssembly module: ${(err as Error).message}`);
  }
  const sections = wasm.Module.customSections(module, MANIFEST_SECTION);
  if (sections.length !== 1) throw new PluginLoadError(source, `expected one custom section ${MANIFEST_SECTION}, found ${sections.length}`);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(sections[0]));
  } catch (err) {
    throw new PluginLoadError(source, `manifest is not UTF-8 JSON: ${(err as Error).message}`);
  }
  const parsed = pluginManifest.safeParse(raw);
  if (!parsed.success) throw new PluginLoadError(source, `invalid manifest: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const manifest = parsed.data;

  const foreign = wasm.Module.imports(module).filter((i) => !ALLOWED_IMPORT_MODULES.has(i.module));
  if (foreign.length > 0) throw new PluginLoadError(source, `imports outside Extism are not provided (no WASI): ${foreign.map((i) => `${i.module}.${i.name}`).join(', ')}`);
  if (importsMemory(module)) throw new PluginLoadError(source, 'imports its memory; a plugin must define its own memory with a maximum');
  for (const m of definedMemories(bytes)) {
    if (m.max === undefined || m.max > MAX_PLUGIN_MEMORY_PAGES) throw new PluginLoadError(source, `memory must declare a maximum of at most ${MAX_PLUGIN_MEMORY_PAGES} pages (asc --maximumMemory), declares ${m.max ?? 'none'}`);
  }
  const exported = new Set(wasm.Module.exports(module).filter((e) => e.kind === 'function').map((e) => e.name));
  for (const fn of [manifest.exports.deploy, manifest.exports.undeploy]) {
    if (fn !== undefined && !exported.has(fn)) throw new PluginLoadError(source, `the manifest names export ${fn}, which the module does not export`);
  }
  let configSchema: z.ZodType<unknown>;
  try {
    configSchema = z.fromJSONSchema(manifest.configSchema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (err) {
    throw new PluginLoadError(source, `configSchema is not a usable JSON Schema: ${(err as Error).message}`);
  }
  return { name: manifest.name, version: manifest.version, digest, manifest, module, configSchema, source };
}

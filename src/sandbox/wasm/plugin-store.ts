/**
 * Loads the plugins an admin installed: every `*.wasm` file in one directory (a ConfigMap or
 * any volume mounted into the operator pod, docs/plugins.md). Reading files is I/O, so it
 * lives in the sandbox; the result is a catalog by plugin name. A file that fails to load,
 * or two files claiming one name, are reported and left out — nothing of them runs — and
 * targets naming them get a clear condition instead.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { artifactFromBytes, MAX_PLUGIN_BYTES, PluginLoadError, type PluginArtifact } from './plugin-artifact.ts';

export interface PluginCatalog {
  /** Loaded plugins by manifest name. */
  readonly plugins: ReadonlyMap<string, PluginArtifact>;
  /** Files (or names) that were refused, with why. */
  readonly problems: readonly PluginLoadError[];
}

export const EMPTY_CATALOG: PluginCatalog = Object.freeze({ plugins: new Map(), problems: [] });

/** Reads one plugin file (following a ConfigMap's `..data` symlinks like any reader). */
export async function loadPluginFile(path: string): Promise<PluginArtifact> {
  const st = await stat(path);
  if (!st.isFile()) throw new PluginLoadError(path, 'not a regular file');
  if (st.size > MAX_PLUGIN_BYTES) throw new PluginLoadError(path, `larger than ${MAX_PLUGIN_BYTES} bytes`);
  return artifactFromBytes(new Uint8Array(await readFile(path)), path);
}

/** Loads every `*.wasm` in `dir` (hidden names, such as a ConfigMap's `..data`, are skipped). */
export async function loadPluginDir(dir: string): Promise<PluginCatalog> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.wasm') && !n.startsWith('.')).sort();
  const loaded: PluginArtifact[] = [];
  const problems: PluginLoadError[] = [];
  for (const n of names) {
    try {
      loaded.push(await loadPluginFile(join(dir, n)));
    } catch (err) {
      problems.push(err instanceof PluginLoadError ? err : new PluginLoadError(join(dir, n), (err as Error).message));
    }
  }
  return catalogOf(loaded, problems);
}

/** Pure: the catalog of `loaded`; a name claimed by two files is refused for both. */
export function catalogOf(loaded: readonly PluginArtifact[], problems: readonly PluginLoadError[] = []): PluginCatalog {
  const byName = new Map<string, PluginArtifact[]>();
  for (const a of loaded) byName.set(a.name, [...(byName.get(a.name) ?? []), a]);
  const plugins = new Map<string, PluginArtifact>();
  const out = [...problems];
  for (const [name, list] of byName) {
    if (list.length === 1) plugins.set(name, list[0]!);
    else out.push(new PluginLoadError(list.map((a) => a.source).join(', '), `several files claim plugin name ${name}; none is loaded`));
  }
  return { plugins, problems: out };
}

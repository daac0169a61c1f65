/**
 * Builds the plugins under examples/plugins/<name>/ from source (AssemblyScript + the Extism
 * AssemblyScript PDK, both from npm) into ~/.cache/cert-deployer/plugins/<name>-<hash>.wasm,
 * keyed by the content of everything that goes into the build (the plugin's sources, the
 * shared guest library, its manifest, the compiler and PDK versions and this script), so a
 * rebuild happens only when one of them changes. The .wasm is never committed.
 *
 * The plugin's manifest.json is embedded as the WebAssembly custom section
 * `cert-deployer.manifest`: the sha256 an admin pins covers the code AND the manifest, and the
 * operator reads the manifest with `WebAssembly.Module.customSections` without running any of
 * the plugin's code (docs/plugins.md).
 *
 *   node hack/plugins/build.ts [name...]     # prints "<name> <path> <sha256>" per plugin
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SOURCES = join(ROOT, 'examples/plugins');
/** The folder of guest helpers every plugin may import; not a plugin itself. */
const LIB = 'lib';
export const MANIFEST_SECTION = 'cert-deployer.manifest';

/** Where built plugins are cached (CD_CACHE_DIR as in hack/lib.sh). */
export function pluginCacheDir(): string {
  return join(process.env.CD_CACHE_DIR ?? join(homedir(), '.cache/cert-deployer'), 'plugins');
}

export interface BuiltPlugin {
  readonly name: string;
  readonly path: string;
  /** Lowercase hex sha256 of the .wasm: what a DeploymentPolicy pins. */
  readonly sha256: string;
}

/** Unsigned LEB128, as the WebAssembly binary format spells sizes. */
function leb128(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return Buffer.from(out);
}

/** A custom section (id 0): name, then payload. Appending one keeps the module valid. */
export function customSection(name: string, payload: Uint8Array): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const body = Buffer.concat([leb128(nameBytes.length), nameBytes, payload]);
  return Buffer.concat([Buffer.from([0]), leb128(body.length), body]);
}

async function filesOf(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.ts') || f.endsWith('.json')).sort().map((f) => join(dir, f));
}

async function versionOf(pkg: string): Promise<string> {
  return (JSON.parse(await readFile(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The content key of a plugin's build. */
async function buildKey(name: string): Promise<string> {
  const h = createHash('sha256');
  for (const f of [...(await filesOf(join(SOURCES, name))), ...(await filesOf(join(SOURCES, LIB))), fileURLToPath(import.meta.url)]) {
    h.update(f.slice(ROOT.length)).update('\0').update(await readFile(f)).update('\0');
  }
  h.update(await versionOf('assemblyscript')).update(await versionOf('@extism/as-pdk'));
  return h.digest('hex').slice(0, 16);
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Builds (or finds in the cache) the plugin in examples/plugins/<name>. */
export async function buildPlugin(name: string): Promise<BuiltPlugin> {
  const out = join(pluginCacheDir(), `${name}-${await buildKey(name)}.wasm`);
  try {
    return { name, path: out, sha256: sha256(await readFile(out)) };
  } catch {
    // not cached yet
  }
  await mkdir(pluginCacheDir(), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  const asc = join(ROOT, 'node_modules/assemblyscript/bin/asc.js');
  try {
    await promisify(execFile)(process.execPath, [
      asc, `${name}/index.ts`, '--outFile', tmp, '--optimize', '--runtime', 'incremental',
      '--maximumMemory', '256', '--use', `abort=${LIB}/result/abortPlugin`, '--path', join(ROOT, 'node_modules'),
    ], { cwd: SOURCES, maxBuffer: 16 << 20 });
    const manifest = JSON.stringify(JSON.parse(await readFile(join(SOURCES, name, 'manifest.json'), 'utf8')));
    const wasm = Buffer.concat([await readFile(tmp), customSection(MANIFEST_SECTION, Buffer.from(manifest, 'utf8'))]);
    await writeFile(tmp, wasm);
    await rename(tmp, out);
    return { name, path: out, sha256: sha256(wasm) };
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Every plugin under examples/plugins. */
export async function pluginNames(): Promise<string[]> {
  return (await readdir(SOURCES, { withFileTypes: true })).filter((d) => d.isDirectory() && d.name !== LIB).map((d) => d.name).sort();
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const names = process.argv.length > 2 ? process.argv.slice(2) : await pluginNames();
  for (const n of names) {
    const b = await buildPlugin(n);
    console.log(`${b.name} ${b.path} ${b.sha256}`);
  }
}

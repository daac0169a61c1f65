/**
 * What the loader refuses before any plugin code runs, and what it reads: the manifest from
 * the custom section (covered by the digest), no imports beyond Extism's (so no WASI), a
 * memory that declares a maximum within the limit, and a config schema that validates.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildPlugin, customSection } from '../../../hack/plugins/build.ts';
import { artifactFromBytes, catalogOf, MANIFEST_SECTION, sha256Hex, type PluginLoadError } from '../../../src/sandbox/wasm/index.ts';

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const manifest = (name = 'tiny') => ({ abi: 1, name, version: '1.0.0', configSchema: { type: 'object' }, grant: {}, exports: { deploy: 'deploy' } });
const section = (id: number, body: number[]) => [id, body.length, ...body];
const str = (s: string) => [s.length, ...Buffer.from(s)];
/** (type () -> ()), one function `deploy` exported, memory limits as given, optional extra import. */
function tinyModule(opts: { memory?: number[]; importFrom?: string; manifest?: unknown } = {}): Uint8Array {
  const imports = opts.importFrom ? section(2, [1, ...str(opts.importFrom), ...str('f'), 0x00, 0x00]) : [];
  const bytes = [
    ...HEADER,
    ...section(1, [1, 0x60, 0, 0]),
    ...imports,
    ...section(3, [1, 0]),
    ...section(5, [1, ...(opts.memory ?? [0x01, 1, 2])]),
    ...section(7, [1, ...str('deploy'), 0x00, opts.importFrom ? 1 : 0]),
    ...section(10, [1, 2, 0, 0x0b]),
  ];
  const m = opts.manifest === undefined ? manifest() : opts.manifest;
  return new Uint8Array([...bytes, ...(m === null ? [] : customSection(MANIFEST_SECTION, Buffer.from(JSON.stringify(m))))]);
}

const refusal = async (bytes: Uint8Array) => (await artifactFromBytes(bytes, 'test.wasm').then(() => null, (e: unknown) => e)) as PluginLoadError | null;

describe('plugin loading', () => {
  it('reads the example plugin: name, version, digest of the file, manifest and config schema', async () => {
    const built = await buildPlugin('pem-files');
    const bytes = new Uint8Array(await readFile(built.path));
    const a = await artifactFromBytes(bytes, built.path);
    expect({ name: a.name, version: a.version, digest: a.digest }).toEqual({ name: 'pem-files', version: '0.1.0', digest: sha256Hex(bytes) });
    expect(a.digest).toBe(built.sha256);
    expect(a.configSchema.safeParse({ certificatePath: '/a', privateKeyPath: '/b', reload: ['/bin/true'] })).toMatchObject({ success: true, data: { commandTimeoutSeconds: 30 } });
    expect(a.configSchema.safeParse({ certificatePath: 'relative', privateKeyPath: '/b', reload: [] }).success).toBe(false);
  });

  it('loads a minimal valid module', async () => {
    expect(await refusal(tinyModule())).toBeNull();
  });

  it('refuses a module without a manifest section', async () => {
    expect((await refusal(tinyModule({ manifest: null })))?.message).toMatch(/expected one custom section cert-deployer.manifest, found 0/);
  });

  it('refuses an invalid manifest', async () => {
    expect((await refusal(tinyModule({ manifest: { ...manifest(), name: 'Not A Label' } })))?.message).toMatch(/invalid manifest: name/);
    expect((await refusal(tinyModule({ manifest: { ...manifest(), abi: 2 } })))?.message).toMatch(/invalid manifest: abi/);
  });

  it('refuses WASI and any other import outside Extism', async () => {
    expect((await refusal(tinyModule({ importFrom: 'wasi_snapshot_preview1' })))?.message).toMatch(/no WASI.*wasi_snapshot_preview1\.f/);
    expect(await refusal(tinyModule({ importFrom: 'extism:host/user' }))).toBeNull();
  });

  it('refuses a memory without a maximum, or above the limit', async () => {
    expect((await refusal(tinyModule({ memory: [0x00, 1] })))?.message).toMatch(/declares none/);
    expect((await refusal(tinyModule({ memory: [0x01, 1, 0x80, 0x08] })))?.message).toMatch(/at most 512 pages.*declares 1024/);
  });

  it('refuses bytes that are not WebAssembly, and a manifest naming a missing export', async () => {
    expect((await refusal(new Uint8Array([1, 2, 3])))?.message).toMatch(/not a valid WebAssembly module/);
    expect((await refusal(tinyModule({ manifest: { ...manifest(), exports: { deploy: 'nope' } } })))?.message).toMatch(/export nope/);
  });

  it('a name claimed by two files loads neither', async () => {
    const a = await artifactFromBytes(tinyModule(), 'a.wasm');
    const b = await artifactFromBytes(tinyModule(), 'b.wasm');
    const c = catalogOf([a, b]);
    expect(c.plugins.size).toBe(0);
    expect(c.problems.map((p) => p.message)).toEqual(['plugin a.wasm, b.wasm: several files claim plugin name tiny; none is loaded']);
  });
});

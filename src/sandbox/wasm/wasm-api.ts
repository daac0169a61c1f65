/**
 * The part of the global `WebAssembly` API the loader uses, typed here because the project's
 * TypeScript libs (ES + @types/node, no DOM) do not declare it. Node provides the global.
 */
/** A compiled module (opaque: only passed to the runtime and the static readers below). */
export interface WasmModule {
  readonly __wasmModule?: never;
}

export interface WasmImport {
  readonly module: string;
  readonly name: string;
  readonly kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
}

interface WebAssemblyApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Module: {
    imports(m: WasmModule): WasmImport[];
    exports(m: WasmModule): { name: string; kind: WasmImport['kind'] }[];
    customSections(m: WasmModule, name: string): ArrayBuffer[];
  };
}

export const wasm: WebAssemblyApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

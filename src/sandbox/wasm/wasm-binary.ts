/**
 * Pure reading of the few facts the operator needs from a .wasm before running it: the limits
 * of the memory the module defines. A module that declares no maximum could grow its linear
 * memory to 4 GiB inside the operator's process, so the loader refuses it (the engine enforces
 * a declared maximum on every `memory.grow`). Only the section headers and the memory section
 * are decoded; WebAssembly.compile has already validated the whole binary.
 */
import { wasm, type WasmModule } from './wasm-api.ts';

/** Limits of one memory, in 64 KiB pages; `max` undefined when the module declares none. */
export interface MemoryLimits {
  readonly min: number;
  readonly max: number | undefined;
}

const MEMORY_SECTION = 5;

function leb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    const b = bytes[i++];
    if (b === undefined) throw new RangeError('truncated LEB128');
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [value, i];
    shift += 7;
  }
}

/** Memories the module defines itself (imported memories are refused by the loader anyway). */
export function definedMemories(bytes: Uint8Array): MemoryLimits[] {
  const out: MemoryLimits[] = [];
  let i = 8; // magic + version
  while (i < bytes.length) {
    const id = bytes[i]!;
    const [size, body] = leb(bytes, i + 1);
    if (id === MEMORY_SECTION) {
      let [count, j] = leb(bytes, body);
      for (; count > 0; count--) {
        const flags = bytes[j]!;
        const [min, k] = leb(bytes, j + 1);
        if (flags & 1) {
          const [max, l] = leb(bytes, k);
          out.push({ min, max });
          j = l;
        } else {
          out.push({ min, max: undefined });
          j = k;
        }
      }
    }
    i = body + size;
  }
  return out;
}

/** Whether the module imports a memory (the host would have to provide it: refused). */
export function importsMemory(module: WasmModule): boolean {
  return wasm.Module.imports(module).some((i) => i.kind === 'memory');
}

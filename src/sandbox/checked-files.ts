/**
 * File operations of the checked sandbox. Two layers, both required:
 *   1. decide on canonical paths: the subject is canonicalised on the host (symlinks resolved)
 *      and must lie below one of the canonical grant roots (themselves the intersection of the
 *      canonicalised declaration and the canonicalised policy roots);
 *   2. act without trusting that decision to still hold: the Host walks from that canonical
 *      root to the file without following any symlink (`*Beneath` methods), so a symlink
 *      swapped in after step 1 makes the operation fail instead of escaping the root.
 * Hard-linked files, non-regular files and files over MAX_READ_BYTES are refused by the Host
 * at the moment of the operation and reported here as DeniedError with the Host's reason.
 */
import { canonicalizeForRead, canonicalizeForWrite } from './check/canonical-path.ts';
import { isPathWithin, splitParent } from './check/path-check.ts';
import { CertDeployerError, DeniedError, ErrorCode } from './errors.ts';
import { defaultFileMode, modeProblem } from './file-mode.ts';
import { MAX_READ_BYTES, type Host } from './host/host.ts';
import { UnsafePathError } from './host/unsafe-path.ts';
import type * as S from './sandbox.ts';

/** Canonical grant roots on the host. */
export interface CanonicalRoots {
  readonly read: readonly string[];
  readonly write: readonly string[];
}

export function toBytes(data: unknown, path: string): Uint8Array {
  if (typeof data === 'string') return new TextEncoder().encode(data);
  if (data instanceof Uint8Array) return data;
  throw new CertDeployerError(ErrorCode.Connector, `data for ${JSON.stringify(path)} must be a string or a Uint8Array`);
}

/**
 * The directory the Host walks from for `path`: the deepest root covering it, or, when the
 * grant root is the file itself (connectors grant exact file paths), that file's canonical
 * parent, so that the only component below the walk's start is the file's own name.
 * `undefined` when no root covers the path.
 */
export function coveringRoot(roots: readonly string[], path: string): string | undefined {
  let best: string | undefined;
  for (const r of roots) if (isPathWithin(r, path) && (best === undefined || r.length > best.length)) best = r;
  return best === path ? splitParent(path).parent : best;
}

function shown(input: string, real: string): string {
  return real === input ? input : `${input} -> ${real}`;
}

/** Host refusals become denials with the Host's reason; everything else passes through. */
async function denyUnsafe<T>(capability: 'file.read' | 'file.write', subject: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (err instanceof UnsafePathError) throw new DeniedError(capability, subject, err.reason);
    throw err;
  }
}

/** Validates a numeric owner or group id from a restore record (it is connector-supplied data). */
function checkedId(value: unknown, what: string, path: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < 2 ** 32 - 1) return value;
  throw new DeniedError('file.write', path, `${what} must be a non-negative integer id`);
}

export class CheckedFiles {
  readonly #host: Host;
  readonly #roots: () => Promise<CanonicalRoots>;

  constructor(host: Host, roots: () => Promise<CanonicalRoots>) {
    this.#host = host;
    this.#roots = roots;
  }

  async readFile(path: string, signal?: AbortSignal): Promise<Uint8Array | null> {
    const c = await canonicalizeForRead(this.#host, path, signal);
    if (!c.ok) throw new DeniedError('file.read', String(path), c.reason);
    const roots = await this.#roots();
    const root = coveringRoot([...roots.read, ...roots.write], c.path);
    if (root === undefined) throw new DeniedError('file.read', shown(path, c.path), 'outside the read and write roots');
    const file = await denyUnsafe('file.read', c.path, () => this.#host.readFileBeneath(root, c.path, { maxBytes: MAX_READ_BYTES, signal }));
    return file === null ? null : file.data;
  }

  async writeFile(path: string, data: Uint8Array | string, opts: S.FileWriteOptions = {}): Promise<S.FileWrite> {
    const bytes = toBytes(data, path);
    const { real, root } = await this.#writable(path, opts.signal);
    const mode = opts.mode ?? defaultFileMode(real, bytes);
    const problem = modeProblem(mode, bytes);
    if (problem !== null) throw new DeniedError('file.write', real, problem);
    const before = await denyUnsafe('file.write', real, () =>
      this.#host.replaceFileBeneath(root, real, bytes, { mode, owner: opts.owner, group: opts.group, signal: opts.signal, maxPreviousBytes: MAX_READ_BYTES }),
    );
    const chown = before !== null && (opts.owner !== undefined || opts.group !== undefined);
    return {
      path: real,
      previous: before === null ? null : before.data,
      previousMode: before === null ? null : before.stat.mode & 0o7777,
      ...(chown ? { previousUid: before.stat.uid, previousGid: before.stat.gid } : {}),
    };
  }

  /**
   * A restore record is connector-supplied data, so it is checked exactly like a write: the
   * path below the write roots, the mode a plain permission mode that fits the content (no
   * setuid/setgid/sticky, a key never readable by others), owner and group plain ids.
   */
  async restoreFile(write: S.FileWrite, signal?: AbortSignal): Promise<void> {
    const { real, root } = await this.#writable(write.path, signal);
    if (write.previous === null) {
      await denyUnsafe('file.write', real, () => this.#host.unlinkBeneath(root, real, signal));
      return;
    }
    const bytes = toBytes(write.previous, real);
    const mode = write.previousMode ?? defaultFileMode(real, bytes);
    const problem = modeProblem(mode, bytes);
    if (problem !== null) throw new DeniedError('file.write', real, `cannot restore with mode ${String(mode)}: ${problem}`);
    const owner = checkedId(write.previousUid, 'previousUid', real);
    const group = checkedId(write.previousGid, 'previousGid', real);
    await denyUnsafe('file.write', real, () =>
      this.#host.replaceFileBeneath(root, real, bytes, { mode, owner, group, signal, maxPreviousBytes: MAX_READ_BYTES }),
    );
  }

  async #writable(path: string, signal?: AbortSignal): Promise<{ real: string; root: string }> {
    const c = await canonicalizeForWrite(this.#host, path, signal);
    if (!c.ok) throw new DeniedError('file.write', String(path), c.reason);
    const root = coveringRoot((await this.#roots()).write, c.path);
    if (root === undefined) throw new DeniedError('file.write', shown(path, c.path), 'outside the write roots');
    return { real: c.path, root };
  }
}

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
import { canonicalizeForRead, canonicalizeForWrite, resolveExistingPrefix } from './check/canonical-path.ts';
import { isPathWithin, joinPath, normalizeAbsolutePath, splitParent } from './check/path-check.ts';
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

/** The real path of the parent directory plus the final name (the final component is not resolved). */
async function canonicalizeParent(host: Host, input: string, signal?: AbortSignal): Promise<string | null> {
  const n = normalizeAbsolutePath(input);
  if (!n.ok) return null;
  const { parent, name } = splitParent(n.path);
  if (name === '' || name === '..data' || name.startsWith('..')) return null;
  try {
    return joinPath(await resolveExistingPrefix(host, parent, signal), name);
  } catch (err) {
    if (signal?.aborted === true || err instanceof CertDeployerError) throw err;
    return null;
  }
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
    const all = [...roots.read, ...roots.write];
    let subject = c.path;
    let root = coveringRoot(all, c.path);
    if (root === undefined) {
      // A path of an atomic set resolves into `..<version>/`, outside a grant of exact file
      // paths: read it by its own name instead, where the Host follows only its own links.
      const own = await canonicalizeParent(this.#host, path, signal);
      root = own === null ? undefined : coveringRoot(all, own);
      if (own === null || root === undefined) throw new DeniedError('file.read', shown(path, c.path), 'outside the read and write roots');
      subject = own;
    }
    const walkRoot = root;
    const file = await denyUnsafe('file.read', subject, () => this.#host.readFileBeneath(walkRoot, subject, { maxBytes: MAX_READ_BYTES, signal }));
    return file === null ? null : file.data;
  }

  /**
   * One checked operation for a set of files in one directory (see Sandbox.writeFileSet):
   * every path below the write roots, all in the same canonical directory, plain names, each
   * mode checked against its content like `writeFile`.
   */
  async writeFileSet(files: readonly S.FileSetEntry[], opts: Omit<S.FileWriteOptions, 'mode'> = {}): Promise<S.FileSetWrite> {
    if (!Array.isArray(files) || files.length === 0) throw new CertDeployerError(ErrorCode.Connector, 'writeFileSet needs at least one file');
    const located: { real: string; dir: string; name: string; root: string; data: Uint8Array; mode: number | undefined }[] = [];
    for (const f of files) located.push({ ...(await this.#setMember(f.path, opts.signal)), data: toBytes(f.data, f.path), mode: f.mode });
    const dir = (located[0] as { dir: string }).dir;
    const names = new Set<string>();
    for (const l of located) {
      if (l.dir !== dir) throw new DeniedError('file.write', l.real, `every file of a set must be in one directory (${dir})`);
      if (names.has(l.name)) throw new DeniedError('file.write', l.real, 'the same file appears twice in the set');
      names.add(l.name);
    }
    const entries = located.map((l) => {
      const mode = l.mode ?? defaultFileMode(l.real, l.data);
      const problem = modeProblem(mode, l.data);
      if (problem !== null) throw new DeniedError('file.write', l.real, problem);
      return { name: l.name, data: l.data, mode };
    });
    const root = (located[0] as { root: string }).root;
    const previous = await denyUnsafe('file.write', dir, () =>
      this.#host.writeFileSetBeneath(root, dir, entries, { owner: opts.owner, group: opts.group, signal: opts.signal, maxPreviousBytes: MAX_READ_BYTES }),
    );
    return {
      paths: located.map((l) => l.real),
      previous: previous.map((p) => (p === null ? null : p.data)),
      previousModes: previous.map((p) => (p === null ? null : p.stat.mode & 0o7777)),
    };
  }

  /** Restores a set: the previous contents as a new version, or removes the set when there were none. */
  async restoreFileSet(write: S.FileSetWrite, signal?: AbortSignal): Promise<void> {
    const present = write.paths.flatMap((path, i) => {
      const data = write.previous[i];
      return data === null || data === undefined ? [] : [{ path, data, mode: write.previousModes[i] ?? undefined }];
    });
    if (present.length > 0) {
      await this.writeFileSet(present, { signal });
      return;
    }
    const located: { real: string; dir: string; name: string; root: string }[] = [];
    for (const p of write.paths) located.push(await this.#setMember(p, signal));
    const first = located[0];
    if (first === undefined) return;
    await denyUnsafe('file.write', first.dir, () => this.#host.removeFileSetBeneath(first.root, first.dir, located.map((l) => l.name), signal));
  }

  /** A member of a set: canonical directory + name below the write roots (its own link is allowed). */
  async #setMember(path: string, signal?: AbortSignal): Promise<{ real: string; dir: string; name: string; root: string }> {
    const real = await canonicalizeParent(this.#host, path, signal);
    if (real === null) throw new DeniedError('file.write', String(path), 'not a usable absolute file path');
    const root = coveringRoot((await this.#roots()).write, real);
    if (root === undefined) throw new DeniedError('file.write', shown(String(path), real), 'outside the write roots');
    const { parent, name } = splitParent(real);
    return { real, dir: parent, name, root };
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

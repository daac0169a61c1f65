/**
 * Canonical paths on a Host: lexical normalisation plus symlink resolution through
 * `Host.realpath`, so a grant is compared with the file the kernel will really touch. A
 * symlink inside a granted root that points elsewhere therefore resolves outside and is denied.
 *
 * Reads resolve the whole path (the read follows every link). Writes resolve the parent and
 * refuse a final component that is itself a symlink: the atomic rename would replace the link,
 * and reading "the previous content" through it would read whatever it points at.
 *
 * Residual risk (documented, not solved here): someone who can already write inside a granted
 * directory can swap a component for a symlink between this check and the operation (TOCTOU).
 */
import { CertDeployerError } from '../errors.ts';
import { fsErrorCode } from '../host/fs-error.ts';
import type { Host } from '../host/host.ts';
import { joinPath, normalizeAbsolutePath, splitParent } from './path-check.ts';

/** Stable reasons a path could not be canonicalised. */
export const CanonicalRejection = {
  FinalSymlink: 'the final path component is a symbolic link; name its target instead',
  Directory: 'the path is a directory',
  NoName: 'the path names the root directory',
  Unresolvable: 'the path cannot be resolved on the host',
} as const;

/** The canonical path, or why there is none. `reason` never contains file contents. */
export type CanonicalPath = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: string };

type Resolver = Pick<Host, 'realpath'>;
type Inspector = Pick<Host, 'realpath' | 'lstat'>;

const errorCode = fsErrorCode;

/** ENOENT and ENOTDIR both mean "this prefix does not exist (as a directory)". */
function isMissing(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Resolves the deepest existing prefix of a normal absolute path with `realpath` and appends
 * the missing rest unchanged. Missing components cannot be symlinks, so the result is the path
 * the kernel would reach if the missing parts were created as plain directories and files.
 */
export async function resolveExistingPrefix(host: Resolver, normalPath: string, signal?: AbortSignal): Promise<string> {
  let prefix = normalPath;
  let rest = '';
  for (;;) {
    signal?.throwIfAborted();
    try {
      const real = await host.realpath(prefix, signal);
      return joinPath(real, rest);
    } catch (err) {
      if (!isMissing(err) || prefix === '/') throw err;
      const { parent, name } = splitParent(prefix);
      rest = rest === '' ? name : `${name}/${rest}`;
      prefix = parent;
    }
  }
}

function unresolvable(err: unknown): CanonicalPath {
  const code = errorCode(err);
  return { ok: false, reason: code === undefined ? CanonicalRejection.Unresolvable : `${CanonicalRejection.Unresolvable} (${code})` };
}

/**
 * Aborts and host failures (unreachable, host key mismatch) are not facts about the path:
 * they propagate as themselves, so an SSH outage is retried instead of read as a denial.
 */
function rethrowAbort(err: unknown, signal?: AbortSignal): void {
  if (signal?.aborted === true) throw err;
  if (err instanceof CertDeployerError) throw err;
}

/** Canonical path for reading (and for exec `path` placeholders): every symlink resolved. */
export async function canonicalizeForRead(host: Resolver, input: string, signal?: AbortSignal): Promise<CanonicalPath> {
  const n = normalizeAbsolutePath(input);
  if (!n.ok) return n;
  try {
    return { ok: true, path: await resolveExistingPrefix(host, n.path, signal) };
  } catch (err) {
    rethrowAbort(err, signal);
    return unresolvable(err);
  }
}

/**
 * Canonical path for writing: the real path of the parent plus the final name, refusing a
 * final component that is a symlink or a directory.
 */
export async function canonicalizeForWrite(host: Inspector, input: string, signal?: AbortSignal): Promise<CanonicalPath> {
  const n = normalizeAbsolutePath(input);
  if (!n.ok) return n;
  const { parent, name } = splitParent(n.path);
  if (name === '') return { ok: false, reason: CanonicalRejection.NoName };
  try {
    const path = joinPath(await resolveExistingPrefix(host, parent, signal), name);
    const stat = await host.lstat(path, signal);
    if (stat?.isSymbolicLink === true) return { ok: false, reason: CanonicalRejection.FinalSymlink };
    if (stat?.isDirectory === true) return { ok: false, reason: CanonicalRejection.Directory };
    return { ok: true, path };
  } catch (err) {
    rethrowAbort(err, signal);
    return unresolvable(err);
  }
}

/**
 * Canonical form of a grant root. Roots are resolved like read paths so that a root reached
 * through a symlink (`/var/run` → `/run`) still covers the canonical paths below it. An
 * invalid or unresolvable root is dropped (fail closed).
 */
export async function canonicalizeRoots(host: Resolver, roots: readonly string[], signal?: AbortSignal): Promise<string[]> {
  const out = new Set<string>();
  for (const root of roots) {
    const c = await canonicalizeForRead(host, root, signal);
    if (c.ok) out.add((await atomicSetMember(host, root, c.path, signal)) ?? c.path);
  }
  return [...out];
}

/**
 * A root that is a member of an atomic file set (`writeFileSet`: `name -> ..data/name`,
 * `..data -> ..<version>`) resolves into the set's current version directory, which the next
 * write replaces; a grant of the file's own path must keep naming the file by its own name, as
 * it did before the first set write, or every write after the first is "outside the write
 * roots" (a second rotation of a `layout: Atomic` target failed exactly so). Recognised only
 * when the resolved path is `<real parent>/..<something>/<same name>`: a link pointing anywhere
 * else keeps resolving where it points (and is judged there), and the Host still follows no
 * link below the root that it did not make itself.
 */
async function atomicSetMember(host: Resolver, root: string, resolved: string, signal?: AbortSignal): Promise<string | undefined> {
  const n = normalizeAbsolutePath(root);
  if (!n.ok) return undefined;
  const { parent, name } = splitParent(n.path);
  const { parent: versionDir, name: resolvedName } = splitParent(resolved);
  const { parent: setDir, name: versionName } = splitParent(versionDir);
  if (resolvedName !== name || !versionName.startsWith('..') || versionName === '..') return undefined;
  const realParent = await resolveExistingPrefix(host, parent, signal).catch(() => undefined);
  return realParent === setDir ? joinPath(realParent, name) : undefined;
}

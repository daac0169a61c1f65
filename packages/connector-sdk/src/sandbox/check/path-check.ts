/**
 * Pure path decisions. A grant root covers a path only at a separator boundary, after lexical
 * normalisation: a raw `startsWith` let `/etc/nginx/certs` cover `/etc/nginx/certs-evil` and
 * `/etc/nginx/certs/../../shadow` in the prior art this project learned from. These functions
 * never touch the file system; `canonical-path.ts` adds symlink resolution on a Host.
 */

/** Why a path string was refused before any grant comparison. Stable strings for messages. */
export const PathRejection = {
  NotString: 'path is not a string',
  Empty: 'path is empty',
  Relative: 'path is not absolute',
  Nul: 'path contains a NUL byte',
} as const;
export type PathRejection = (typeof PathRejection)[keyof typeof PathRejection];

/** Result of normalising: the normal form, or the reason the input is not a usable path. */
export type NormalizedPath = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: PathRejection };

/**
 * Lexically normalises an absolute POSIX path: collapses `//`, drops `.`, resolves `..`
 * (`..` at the root stays at the root, as the kernel does) and strips a trailing slash.
 * Relative paths and NUL bytes are refused because neither has one meaning on every host.
 */
export function normalizeAbsolutePath(input: unknown): NormalizedPath {
  if (typeof input !== 'string') return { ok: false, reason: PathRejection.NotString };
  if (input.length === 0) return { ok: false, reason: PathRejection.Empty };
  if (input.includes('\0')) return { ok: false, reason: PathRejection.Nul };
  if (!input.startsWith('/')) return { ok: false, reason: PathRejection.Relative };
  const out: string[] = [];
  for (const segment of input.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      out.pop();
      continue;
    }
    out.push(segment);
  }
  return { ok: true, path: `/${out.join('/')}` };
}

/** The normal form, or `null` when the input is not an absolute path. For callers that only filter. */
export function normalOrNull(input: unknown): string | null {
  const n = normalizeAbsolutePath(input);
  return n.ok ? n.path : null;
}

/**
 * True when `path` is `root` itself or lies below it at a separator boundary. Both sides are
 * normalised lexically first; anything that is not an absolute path is never within.
 * Symlinks are not considered here: pass canonical paths (see `canonical-path.ts`).
 */
export function isPathWithin(root: string, path: string): boolean {
  const r = normalOrNull(root);
  const p = normalOrNull(path);
  if (r === null || p === null) return false;
  if (r === '/') return true;
  return p === r || p.startsWith(`${r}/`);
}

/** True when some root in `roots` covers `path` (see `isPathWithin`). */
export function isPathWithinAny(roots: readonly string[], path: string): boolean {
  return roots.some((root) => isPathWithin(root, path));
}

/** Splits a normal absolute path into its parent directory and final name (`/` has no name). */
export function splitParent(normalPath: string): { readonly parent: string; readonly name: string } {
  const i = normalPath.lastIndexOf('/');
  return { parent: i <= 0 ? '/' : normalPath.slice(0, i), name: normalPath.slice(i + 1) };
}

/** Joins a normal absolute directory and a relative rest (already free of `.`/`..`). */
export function joinPath(dir: string, rest: string): string {
  if (rest === '') return dir;
  return dir === '/' ? `/${rest}` : `${dir}/${rest}`;
}

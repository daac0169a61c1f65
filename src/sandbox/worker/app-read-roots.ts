/**
 * Which directories a connector worker may read: the application's own code and its
 * dependencies, found from the application root (the directory of its package.json), each
 * also under its real path because the ESM loader resolves symlinks (a workspace link, or a
 * node_modules that is itself a link) before it reads. Nothing else — no /etc, no /proc, no
 * service-account token, no home directory.
 */
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Subdirectories of the app root holding code: sources or the build, workspace packages, dependencies. */
export const CODE_DIRS = ['src', 'dist', 'packages', 'node_modules'] as const;

/** The nearest ancestor of `from` that holds a package.json. */
export function appRoot(from: string): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
}

/**
 * The existing code directories of `root` and their real paths, plus `extra` (absolute), plus
 * the real path of every package in node_modules that is a link (npm workspaces link
 * `node_modules/@cert-deployer/connector-sdk` to `packages/connector-sdk`).
 */
export function appReadRoots(root: string, extra: readonly string[] = []): string[] {
  const out = new Set<string>();
  for (const p of [...CODE_DIRS.map((d) => join(root, d)), ...extra]) {
    if (!existsSync(p)) continue;
    out.add(p);
    out.add(realpathSync(p));
  }
  for (const link of linkedPackages(join(root, 'node_modules'))) out.add(realpathSync(link));
  return [...out];
}

/** Packages in `nodeModules` (and its @scopes) that are symbolic links. */
function linkedPackages(nodeModules: string): string[] {
  if (!existsSync(nodeModules)) return [];
  const links: string[] = [];
  for (const e of readdirSync(nodeModules, { withFileTypes: true })) {
    const path = join(nodeModules, e.name);
    if (e.isSymbolicLink() && existsSync(path)) links.push(path);
    else if (e.name.startsWith('@') && e.isDirectory()) {
      for (const s of readdirSync(path, { withFileTypes: true })) if (s.isSymbolicLink() && existsSync(join(path, s.name))) links.push(join(path, s.name));
    }
  }
  return links;
}

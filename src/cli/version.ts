/**
 * What `--version` prints: the package version (from the package.json the process runs from,
 * found by walking up, which works for `src/main.ts`, `dist/src/main.js` and the image's
 * `/app/dist/src/main.js` alike) and the commit, which the image build passes as
 * `CERT_DEPLOYER_COMMIT` (Dockerfile `ARG COMMIT`); a source checkout reports `unknown`.
 * The single executable (hack/agent) has no package.json on disk: it carries it as a SEA asset.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { getAsset, isSea } from 'node:sea';

export interface VersionInfo {
  readonly name: string;
  readonly version: string;
  readonly commit: string;
}

/** Finds the nearest package.json named `cert-deployer` above `from`. */
export function versionInfo(from: string = import.meta.dirname, env: Readonly<Record<string, string | undefined>> = process.env): VersionInfo {
  const commit = env.CERT_DEPLOYER_COMMIT?.trim() || 'unknown';
  if (isSea()) {
    const pkg = JSON.parse(getAsset('package.json', 'utf8')) as { version?: string };
    return { name: 'cert-deployer', version: pkg.version ?? 'unknown', commit };
  }
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'cert-deployer' && pkg.version) return { name: pkg.name, version: pkg.version, commit };
    } catch {
      // no (readable) package.json here: keep walking up
    }
    if (dirname(dir) === dir) return { name: 'cert-deployer', version: 'unknown', commit };
  }
}

/** One line, `cert-deployer 0.1.0 (commit 1a2b3c4)`, plus the Node version for bug reports. */
export function renderVersion(v: VersionInfo, node: string = process.version): string {
  return `${v.name} ${v.version} (commit ${v.commit}, node ${node})\n`;
}

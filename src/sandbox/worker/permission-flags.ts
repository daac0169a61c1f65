/**
 * The Node flags a connector worker starts with: the permission model on, file-system reads
 * limited to the application's own code and dependencies, and nothing else allowed — no
 * `--allow-fs-write`, `--allow-net`, `--allow-child-process`, `--allow-worker`,
 * `--allow-addons`, `--allow-wasi`, `--allow-inspector` or `--allow-ffi`. Pure, so the exact
 * flag set is unit-tested.
 */

export interface PermissionFlagOptions {
  /** Absolute directories (or files) the worker may read: the app's code and node_modules. */
  readonly readRoots: readonly string[];
  /** Modules to `--import` first (a resolve hook when running from source); must be readable. */
  readonly preload: readonly string[];
  /** V8 old-space limit in MiB (`--max-old-space-size`). */
  readonly maxOldSpaceMiB: number;
}

/** Flags the worker must never get; a test checks none appears in {@link permissionFlags}. */
export const FORBIDDEN_FLAGS = ['--allow-fs-write', '--allow-net', '--allow-child-process', '--allow-worker', '--allow-addons', '--allow-wasi', '--allow-inspector', '--allow-ffi', '--allow-fs-vfs', '--allow-openssl-store', '--permission-audit'] as const;

/** Builds the worker's execArgv. Refuses relative or wildcard read roots (they would widen the grant). */
export function permissionFlags(opts: PermissionFlagOptions): string[] {
  for (const root of [...opts.readRoots, ...opts.preload]) {
    if (!root.startsWith('/') || root.includes('*') || root.includes(',')) throw new Error(`worker read root must be an absolute path without wildcards or commas: ${JSON.stringify(root)}`);
  }
  if (!Number.isInteger(opts.maxOldSpaceMiB) || opts.maxOldSpaceMiB < 32) throw new Error(`worker heap limit must be an integer of at least 32 MiB, got ${opts.maxOldSpaceMiB}`);
  return [
    '--permission',
    ...[...new Set(opts.readRoots)].map((r) => `--allow-fs-read=${r}`),
    `--max-old-space-size=${opts.maxOldSpaceMiB}`,
    // Not --disallow-code-generation-from-strings: protobufjs (under the GCP client) compiles
    // its encoders with new Function, and eval reaches nothing the permission model lets out.
    ...opts.preload.flatMap((p) => ['--import', p]),
  ];
}

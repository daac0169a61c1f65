/**
 * `kubectl certdeploy redeploy NAME [--target T]...`: asks the controller for one deploy now,
 * even when fingerprints match (external-secrets' force-sync, cmctl renew). The request is two
 * annotations; the controller records in status which request it has served, so it runs once.
 * Pure: builds the merge patch and checks the targets exist.
 */

/** RFC 3339 time of the request; a new value is a new request. */
export const REDEPLOY_AT_ANNOTATION = 'certdeployer.io/redeploy-at';
/** Comma-separated target names; absent means every target. */
export const REDEPLOY_TARGETS_ANNOTATION = 'certdeployer.io/redeploy-targets';

/** A JSON merge patch for metadata.annotations (null removes a stale target list). */
export interface RedeployPatch {
  metadata: { annotations: Record<string, string | null> };
}

/**
 * The patch for a redeploy of `targets` (empty: all) at `now`. Throws when a named target is
 * not in the spec, listing the ones that are, so a typo is not a silent no-op.
 */
export function redeployPatch(specTargets: readonly string[], targets: readonly string[], now: Date): RedeployPatch {
  const unknown = targets.filter((t) => !specTargets.includes(t));
  if (unknown.length > 0) {
    throw new Error(`no target named ${unknown.map((t) => JSON.stringify(t)).join(', ')}; the deployment's targets are ${specTargets.join(', ') || '(none)'}`);
  }
  const at = new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  return {
    metadata: {
      annotations: {
        [REDEPLOY_AT_ANNOTATION]: at,
        [REDEPLOY_TARGETS_ANNOTATION]: targets.length > 0 ? [...new Set(targets)].join(',') : null,
      },
    },
  };
}

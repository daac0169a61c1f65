/**
 * The ordered waves of a rollout spec, as lists of target names. Pure: the same spec and
 * target list always give the same waves, so the decision never depends on the order in which
 * status happens to list targets.
 */
import type { RolloutSpec } from '../../crds/rollout.ts';

/**
 * Named waves first (spec.rollout.waves, or the canary list as wave 1), then the targets named
 * nowhere, in spec order, `maxConcurrent` at a time (one last wave when it is absent). Names
 * that are not targets (refused at admission; kept safe here) and empty waves are dropped.
 */
export function buildWaves(rollout: Pick<RolloutSpec, 'waves' | 'canary' | 'maxConcurrent'>, targetNames: readonly string[]): string[][] {
  const exists = new Set(targetNames);
  const seen = new Set<string>();
  const take = (names: readonly string[]) => names.filter((n) => exists.has(n) && !seen.has(n) && seen.add(n));
  const named = rollout.waves ? rollout.waves.map((w) => take(w.targets)) : rollout.canary ? [take(rollout.canary)] : [];
  const rest = targetNames.filter((n) => !seen.has(n));
  const size = rollout.maxConcurrent ?? Math.max(1, rest.length);
  const chunks: string[][] = [];
  for (let i = 0; i < rest.length; i += size) chunks.push(rest.slice(i, i + size));
  return [...named, ...chunks].filter((w) => w.length > 0);
}

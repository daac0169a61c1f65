/**
 * The `--policy` flag as an upper bound over every DeploymentPolicy: what the namespace policies
 * grant, narrowed by the flag. Its use: a platform can cap all tenants at once regardless of what
 * any policy says (e.g. no ambient cloud identity anywhere, or only a fixed set of path roots on
 * every host), a defence against one mistaken policy. Pure.
 */
import { intersectHosts, intersectRoots } from '@cert-deployer/connector-sdk/sandbox';
import type { Policy } from '@cert-deployer/connector-sdk/sandbox';

const sameArgv = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** `granted ∩ bound`; a field `undefined` on either side does not restrict by that side. */
export function boundPolicy(granted: Policy, bound: Policy | undefined): Policy {
  if (bound === undefined) return granted;
  const pick = <T>(g: T | undefined, b: T | undefined, both: (g: T, b: T) => T): T | undefined => (g === undefined ? b : b === undefined ? g : both(g, b));
  const pathRoots = pick(granted.pathRoots, bound.pathRoots, (g, b) => intersectRoots(g, b));
  const hosts = pick(granted.hosts, bound.hosts, (g, b) => intersectHosts(g, b));
  const commands = pick(granted.commands, bound.commands, (g, b) => g.filter((c) => b.some((x) => sameArgv(c, x))));
  return {
    ...(pathRoots !== undefined ? { pathRoots } : {}),
    ...(hosts !== undefined ? { hosts } : {}),
    ...(commands !== undefined ? { commands } : {}),
    ambientCloudIdentity: granted.ambientCloudIdentity === true && bound.ambientCloudIdentity !== false,
  };
}

/**
 * Pure: may this namespace use this plugin? Only when a DeploymentPolicy selecting the
 * namespace pins the plugin's name with exactly the digest of the file the operator loaded.
 * Fail closed: no pin, or pins for other digests, refuse the target before any plugin code
 * runs, with a reason of its own and a message naming both digests.
 */
import type { PolicySpec } from '../../crds/policy-spec.ts';
import { Reason } from '../reasons.ts';

/** The plugin a target uses, as status shows it. */
export interface PluginIdentity {
  readonly name: string;
  readonly version: string;
  readonly sha256: string;
}

export type PinDecision =
  | { readonly ok: true; readonly policies: readonly string[] }
  | { readonly ok: false; readonly reason: typeof Reason.PluginNotPinned | typeof Reason.PluginDigestMismatch; readonly message: string; readonly policies: readonly string[] };

const short = (d: string) => `sha256:${d.slice(0, 12)}…`;

/** Decides on `plugin` under the policies that select the target's namespace. */
export function pinDecision(plugin: PluginIdentity, namespace: string, selecting: readonly { readonly metadata: { readonly name: string }; readonly spec: Pick<PolicySpec, 'plugins'> }[]): PinDecision {
  const named = selecting.flatMap((p) => (p.spec.plugins ?? []).filter((pin) => pin.name === plugin.name).map((pin) => ({ policy: p.metadata.name, sha256: pin.sha256 })));
  const matching = named.filter((n) => n.sha256 === plugin.sha256);
  if (matching.length > 0) return { ok: true, policies: [...new Set(matching.map((m) => m.policy))].sort() };
  if (named.length === 0) {
    return {
      ok: false, reason: Reason.PluginNotPinned, policies: [],
      message: `plugin ${plugin.name} ${plugin.version} (sha256:${plugin.sha256}) is not pinned by any DeploymentPolicy selecting namespace ${namespace}; an admin who trusts it adds {name: ${plugin.name}, sha256: ${plugin.sha256}} to spec.plugins`,
    };
  }
  const pinned = [...new Set(named.map((n) => short(n.sha256)))].join(', ');
  return {
    ok: false, reason: Reason.PluginDigestMismatch, policies: [...new Set(named.map((n) => n.policy))].sort(),
    message: `plugin ${plugin.name}: the installed file has sha256:${plugin.sha256}, but the DeploymentPolicies pin ${pinned}; refusing to load it (install the pinned file, or pin the new digest after review)`,
  };
}

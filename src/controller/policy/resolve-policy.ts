/**
 * Resolution of the DeploymentPolicies for ONE target, as a pure function: which policies select
 * the namespace, which of their host entries apply to the target's host (SSH address and pinned
 * host key, or the operator pod), and the flat {@link Policy} the sandbox enforces — the union of
 * the applicable items, bounded by the `--policy` flag. Deny by default: no selecting policy, no
 * matching host entry, an unpinned or unknown SSH host key, an unlisted credentials Secret, or a
 * declared item the union does not hold are each a denial whose message names the missing item
 * and the policy field that could allow it.
 */
import type { HostConfig } from '@cert-deployer/connector-sdk';
import type { HostGrant } from '../../crds/policy-spec.ts';
import { canonicalDialAddress } from '@cert-deployer/connector-sdk/sandbox';
import type { Grant, Policy } from '@cert-deployer/connector-sdk/sandbox';
import { grantShortfall } from '../grant-shortfall.ts';
import { Reason } from '../reasons.ts';
import { boundPolicy } from './bound-policy.ts';
import type { DeploymentPolicyObject, NamespaceFacts } from './policy-object.ts';
import { selectingPolicies } from './select-namespace.ts';

/** Everything resolution needs about one target. */
export interface TargetNeeds {
  readonly namespace: NamespaceFacts;
  readonly host: HostConfig | undefined;
  /** Every Secret the target references as credentials (connector refs and host.ssh.credentialsRef). */
  readonly secretRefs: readonly string[];
  readonly declared: Grant;
  /** Addresses the controller dials for the target besides the grant (verification probes). */
  readonly extraDials: readonly string[];
}

export type Resolution =
  | { readonly ok: true; readonly policy: Policy; readonly names: readonly string[] }
  | {
    readonly ok: false; readonly reason: typeof Reason.PolicyDenied | typeof Reason.GrantDenied; readonly message: string; readonly names: readonly string[];
    /** The items that are not allowed, one per entry (`write /etc/x`, `dial a:443`, `credentials Secret s`, …). */
    readonly missing: readonly string[];
  };

/** Host key identity: type and base64 blob, the comment ignored. */
const keyId = (line: string) => line.trim().split(/\s+/).slice(0, 2).join(' ');

function hostLabel(host: HostConfig | undefined): string {
  return host?.ssh ? `ssh ${host.ssh.address}` : host?.local ? 'local (the operator pod)' : 'the operator pod (network-only connector)';
}

function itemsForHost(policies: readonly DeploymentPolicyObject[], host: HostConfig | undefined): { policy: DeploymentPolicyObject; item: HostGrant }[] {
  const out: { policy: DeploymentPolicyObject; item: HostGrant }[] = [];
  const address = host?.ssh ? canonicalDialAddress(host.ssh.address) : null;
  for (const policy of policies) {
    for (const item of policy.spec.hosts ?? []) {
      if (host?.ssh ? item.ssh !== undefined && address !== null && canonicalDialAddress(item.ssh.address) === address : item.local !== undefined) out.push({ policy, item });
    }
  }
  return out;
}

/** What a policy would have to say to allow this target: the hint of every denial. */
function wouldAllow(n: TargetNeeds, missing: readonly string[]): string {
  const host = n.host?.ssh ? `a hosts entry {ssh: {address: ${n.host.ssh.address}, hostKeys: [<the server's key>]}}` : n.host?.local ? 'a hosts entry {local: {}}' : '';
  const roots = [...new Set([...n.declared.write, ...n.declared.read])];
  const parts = [
    host && `${host}${roots.length ? ` with pathRoots covering ${roots.join(', ')}` : ''}`,
    !host && roots.length ? `a hosts entry {local: {}} with pathRoots covering ${roots.join(', ')}` : '',
    n.declared.exec.length ? 'commands listing each exact argv' : '',
    missing.some((m) => m.startsWith('dial ')) ? 'dial listing each address' : '',
    missing.some((m) => m.startsWith('credentials Secret ')) ? `credentialSecrets: [${n.secretRefs.join(', ')}]` : '',
  ].filter(Boolean);
  return parts.length ? ` and ${parts.join(', ')}` : '';
}

function deny(n: TargetNeeds, names: readonly string[], missing: readonly string[], lead: string): Resolution {
  const who = names.length ? `a DeploymentPolicy selecting namespace ${n.namespace.name} (e.g. ${names.join(', ')})` : `a DeploymentPolicy with spec.namespaces: [${n.namespace.name}]`;
  return { ok: false, reason: Reason.PolicyDenied, names, missing, message: `${lead}: ${missing.join(', ')}; ${who}${wouldAllow(n, missing)} could allow it` };
}

/** Resolves the policy of one target. `bound` is the `--policy` flag (undefined: none). */
export function resolveTargetPolicy(all: readonly DeploymentPolicyObject[], n: TargetNeeds, bound?: Policy): Resolution {
  const selecting = selectingPolicies(all, n.namespace);
  const sshDial = n.host?.ssh ? [n.host.ssh.address] : [];
  const allDials = [...sshDial, ...n.extraDials];
  const needs = [`host ${hostLabel(n.host)}`, ...grantShortfall(n.declared, { pathRoots: [], hosts: [], commands: [] }), ...allDials.map((d) => `dial ${d}`), ...n.secretRefs.map((s) => `credentials Secret ${s}`)];
  if (selecting.length === 0) return deny(n, [], [...new Set(needs)], `no DeploymentPolicy selects namespace ${n.namespace.name}, so nothing is allowed`);

  const unrestricted = selecting.filter((p) => p.spec.unrestricted);
  let granted: Policy;
  let names: string[];
  if (unrestricted.length > 0) {
    granted = { ambientCloudIdentity: true };
    names = unrestricted.map((p) => p.metadata.name);
  } else {
    const items = itemsForHost(selecting, n.host);
    if (n.host && items.length === 0) return deny(n, [], [`host ${hostLabel(n.host)}`], `no DeploymentPolicy selecting namespace ${n.namespace.name} allows host ${hostLabel(n.host)}`);
    let hostItems = items;
    if (n.host?.ssh) {
      const pin = n.host.ssh.hostKey;
      if (pin === undefined) return deny(n, [...new Set(items.map((i) => i.policy.metadata.name))], [`pinned host key for ${n.host.ssh.address}`], 'trust on first use is not allowed under a DeploymentPolicy; set host.ssh.hostKey to one of the policy\'s hostKeys');
      hostItems = items.filter((i) => i.item.ssh!.hostKeys.some((k) => keyId(k) === keyId(pin)));
      if (hostItems.length === 0) return deny(n, [...new Set(items.map((i) => i.policy.metadata.name))], [`host key ${keyId(pin).slice(0, 40)}… for ${n.host.ssh.address}`], 'the pinned host key is not among the hostKeys the policies list for this address');
    }
    const contributing = new Set(hostItems.map((i) => i.policy.metadata.name));
    for (const p of selecting) if ((p.spec.dial?.length ?? 0) > 0 || (p.spec.credentialSecrets?.length ?? 0) > 0 || p.spec.ambientCloudIdentity) contributing.add(p.metadata.name);
    names = [...contributing].sort();
    const secrets = new Set(selecting.flatMap((p) => p.spec.credentialSecrets ?? []));
    const missingSecrets = n.secretRefs.filter((s) => !secrets.has(s));
    if (missingSecrets.length > 0) return deny(n, names, missingSecrets.map((s) => `credentials Secret ${s}`), 'the DeploymentPolicies do not allow');
    granted = {
      pathRoots: hostItems.flatMap((i) => i.item.pathRoots ?? []),
      commands: hostItems.flatMap((i) => i.item.commands ?? []),
      hosts: [...sshDial, ...selecting.flatMap((p) => p.spec.dial ?? [])],
      ambientCloudIdentity: selecting.some((p) => p.spec.ambientCloudIdentity),
    };
    const missing = [...grantShortfall(n.declared, granted), ...grantShortfall({ read: [], write: [], exec: [], dial: n.extraDials }, granted)];
    if (missing.length > 0) return deny(n, names, missing, 'the DeploymentPolicies do not allow');
  }
  const policy = boundPolicy(granted, bound);
  const capped = [...grantShortfall(n.declared, policy), ...grantShortfall({ read: [], write: [], exec: [], dial: allDials }, policy)];
  if (capped.length > 0) return { ok: false, reason: Reason.GrantDenied, names, missing: capped, message: `operator policy (--policy) does not allow: ${capped.join(', ')}` };
  return { ok: true, policy, names };
}

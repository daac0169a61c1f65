/**
 * `kubectl certdeploy explain-denial NAME [--target T]`: for a target the controller refused
 * with PolicyDenied or GrantDenied, which grant items it lacks, which DeploymentPolicies select
 * its namespace today, and a DeploymentPolicy that would allow exactly what it needs. The
 * answer comes from the controller's own resolution (`resolveTargetPolicy`, the one place
 * policy is judged), run here on the same objects, so the plugin and the controller cannot
 * disagree about what is missing. Pure: objects in, text out.
 */
import { stringify } from 'yaml';
import type { ArgTemplate, Grant, HostConfig } from '@cert-deployer/connector-sdk';
import { credentialRefsOf } from '../controller/credential-refs.ts';
import { connectorBlockOf, type ConnectorRegistry } from '../controller/pipeline/prepare-target.ts';
import type { DeploymentPolicyObject, NamespaceFacts } from '../controller/policy/policy-object.ts';
import { resolveTargetPolicy, type Resolution } from '../controller/policy/resolve-policy.ts';
import { selectingPolicies } from '../controller/policy/select-namespace.ts';
import { API_VERSION, POLICY_KIND } from '../crds/names.ts';
import type { DeploymentView } from './status-table.ts';

const DENIED = new Set(['PolicyDenied', 'GrantDenied']);
const argText = (a: ArgTemplate) => (typeof a === 'string' ? a : `{${a.placeholder}}`);
const dirOf = (p: string) => p.slice(0, Math.max(1, p.lastIndexOf('/')));

/** What one target asks of policy, read from its block exactly as the controller reads it. */
interface Needs {
  readonly connector: string;
  readonly host: HostConfig | undefined;
  readonly declared: Grant;
  readonly secretRefs: readonly string[];
  readonly verifyDials: readonly string[];
}

function needsOf(registry: ConnectorRegistry, target: Readonly<Record<string, unknown>>): Needs | string {
  const found = connectorBlockOf(registry, target);
  if (!found) return 'no registered connector block';
  const parsed = found.definition.configSchema.safeParse(found.block);
  if (!parsed.success) return `invalid ${found.name} block: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
  const verify = (target.verify as { endpoints?: { address: string }[] } | undefined)?.endpoints ?? [];
  return {
    connector: found.name, host: found.definition.hostOf?.(parsed.data), declared: found.definition.create(parsed.data).capabilities(),
    secretRefs: credentialRefsOf(found.definition, parsed.data), verifyDials: verify.map((e) => e.address),
  };
}

/** One line per selecting policy: what it contributes. */
function describePolicy(p: DeploymentPolicyObject): string {
  if (p.spec.unrestricted) return `${p.metadata.name}: unrestricted`;
  const hosts = (p.spec.hosts ?? []).map((h) => `${h.ssh ? `ssh ${h.ssh.address}` : 'local'}${h.pathRoots?.length ? ` pathRoots [${h.pathRoots.join(', ')}]` : ''}${h.commands?.length ? ` ${h.commands.length} command(s)` : ''}`);
  const parts = [hosts.length ? `hosts ${hosts.join('; ')}` : 'no hosts', p.spec.dial?.length ? `dial [${p.spec.dial.join(', ')}]` : '', p.spec.credentialSecrets?.length ? `credentialSecrets [${p.spec.credentialSecrets.join(', ')}]` : '', p.spec.ambientCloudIdentity ? 'ambientCloudIdentity' : ''];
  return `${p.metadata.name}: ${parts.filter(Boolean).join(', ')}`;
}

/** A DeploymentPolicy that allows exactly what `n` needs in `namespace` (for a cluster admin to review). */
export function suggestedPolicy(namespace: string, target: string, n: Needs): string {
  const roots = [...new Set([...n.declared.write, ...n.declared.read].map(dirOf))].sort();
  const commands = n.declared.exec.map((e) => e.argv.map(argText));
  const hostItem = n.host?.ssh
    ? { ssh: { address: n.host.ssh.address, hostKeys: [n.host.ssh.hostKey ?? '<the server\'s host key, as in known_hosts>'] } }
    : n.host?.local || roots.length > 0 || commands.length > 0 ? { local: {} } : undefined;
  const dial = [...new Set([...n.declared.dial, ...n.verifyDials])];
  const spec = {
    namespaces: [namespace],
    ...(hostItem ? { hosts: [{ ...hostItem, ...(roots.length ? { pathRoots: roots } : {}), ...(commands.length ? { commands } : {}) }] } : {}),
    ...(dial.length ? { dial } : {}),
    ...(n.secretRefs.length ? { credentialSecrets: [...n.secretRefs] } : {}),
  };
  return stringify({ apiVersion: API_VERSION, kind: POLICY_KIND, metadata: { name: `${namespace}-${target}`.toLowerCase().replace(/[^a-z0-9.-]/g, '-').slice(0, 63) }, spec });
}

function explainOne(d: DeploymentView, target: Readonly<Record<string, unknown>> & { name: string }, namespace: NamespaceFacts, policies: readonly DeploymentPolicyObject[], registry: ConnectorRegistry): string {
  const st = d.status?.targets?.find((t) => t.name === target.name);
  const lines = [`Target ${target.name}: ${st?.reason ?? 'no status yet'}`];
  if (st?.message) lines.push(`  Status says: ${st.message}`);
  const n = needsOf(registry, target);
  if (typeof n === 'string') return [...lines, `  Its block cannot be judged: ${n}`].join('\n');
  const r: Resolution = resolveTargetPolicy(policies, { namespace, host: n.host, declared: n.declared, extraDials: n.verifyDials, secretRefs: n.secretRefs });
  const selecting = selectingPolicies(policies, namespace);
  lines.push(`  Connector: ${n.connector}${n.host?.ssh ? ` on ssh ${n.host.ssh.address}` : n.host?.local ? ' on the operator pod' : ''}`);
  lines.push(selecting.length ? `  DeploymentPolicies selecting namespace ${namespace.name}:` : `  No DeploymentPolicy selects namespace ${namespace.name} (by spec.namespaces or spec.namespaceSelector).`);
  for (const p of selecting) lines.push(`    - ${describePolicy(p)}`);
  if (r.ok) {
    lines.push(st?.reason === 'GrantDenied'
      ? `  The DeploymentPolicies (${r.names.join(', ')}) allow everything it needs: the controller's --policy flag caps it (see the status message). No DeploymentPolicy can lift that bound; the operator's administrator sets it (chart value "policy").`
      : `  The DeploymentPolicies today (${r.names.join(', ')}) allow everything it needs; the next reconcile runs it (or: kubectl certdeploy redeploy ${d.metadata.name} --target ${target.name}).`);
    return lines.join('\n');
  }
  lines.push('  Lacks (the first kind of item resolution found missing; the suggestion below covers all it needs):', ...r.missing.map((m) => `    - ${m}`));
  if (r.reason === 'GrantDenied') {
    lines.push('  These are outside the controller\'s --policy flag, an upper bound over every DeploymentPolicy: only the operator\'s administrator can widen it (chart value "policy").');
    return lines.join('\n');
  }
  lines.push(selecting.length
    ? `  Could allow it: a cluster admin adds the lacking items to one of ${selecting.map((p) => p.metadata.name).join(', ')}, or applies this policy:`
    : '  Could allow it: a cluster admin applies this policy:');
  lines.push(...suggestedPolicy(namespace.name, target.name, n).trimEnd().split('\n').map((l) => `    ${l}`));
  return lines.join('\n');
}

/**
 * The explanation for `d`'s denied targets (or for `only`, denied or not). `ok` is false when
 * `only` names no target of `d`.
 */
export function explainDenial(d: DeploymentView, namespace: NamespaceFacts, policies: readonly DeploymentPolicyObject[], registry: ConnectorRegistry, only?: string): { ok: boolean; text: string } {
  const targets = d.spec?.targets ?? [];
  const reasonOf = (name: string) => d.status?.targets?.find((t) => t.name === name)?.reason;
  const chosen = only !== undefined ? targets.filter((t) => t.name === only) : targets.filter((t) => DENIED.has(reasonOf(t.name) ?? ''));
  const head = `CertificateDeployment ${namespace.name}/${d.metadata.name}`;
  if (only !== undefined && chosen.length === 0) return { ok: false, text: `${head} has no target ${JSON.stringify(only)} (targets: ${targets.map((t) => t.name).join(', ') || 'none'})\n` };
  if (chosen.length === 0) return { ok: true, text: `${head}: no target is denied by policy (PolicyDenied or GrantDenied).\n` };
  return { ok: true, text: `${head}\n${chosen.map((t) => explainOne(d, t, namespace, policies, registry)).join('\n\n')}\n` };
}

/**
 * The RBAC the chart renders, read as data: exactly the rules the controller needs, bound to
 * the chart's ServiceAccount, in the scopes the values ask for — no wildcards, no extra
 * resources, no cluster-wide Secret access in namespaced mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHelmCli, type HelmCli, type Manifest } from './helm-cli.ts';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** One line per (group, resource, verb[, name]) so comparisons do not depend on rule grouping. */
function grants(role: Manifest): string[] {
  return (role.rules as Rule[]).flatMap((r) =>
    r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.flatMap((v) =>
      (r.resourceNames ?? ['*any*']).map((n) => `${g || 'core'} ${res} ${v}${n === '*any*' ? '' : ` ${n}`}`))))).sort();
}

const WATCH_GRANTS = [
  'certdeployer.io certificatedeployments get',
  'certdeployer.io certificatedeployments list',
  'certdeployer.io certificatedeployments patch',
  'certdeployer.io certificatedeployments watch',
  'certdeployer.io certificatedeployments/finalizers update',
  'certdeployer.io certificatedeployments/status get',
  'certdeployer.io certificatedeployments/status patch',
  'certdeployer.io certificatedeployments/status update',
  'core secrets get',
  'core secrets list',
  'core secrets watch',
  'events.k8s.io events create',
  'events.k8s.io events patch',
].sort();

/** Read-only: DeploymentPolicies (cluster-scoped) and namespace labels, by name in namespaced mode. */
const policyGrants = (namespaces?: string[]) => [
  'certdeployer.io deploymentpolicies get',
  'certdeployer.io deploymentpolicies list',
  'certdeployer.io deploymentpolicies watch',
  ...['get', 'list', 'watch'].flatMap((v) => (namespaces ?? [undefined]).map((n) => `core namespaces ${v}${n ? ` ${n}` : ''}`)),
].sort();

const leaseGrants = (id: string) => [
  'coordination.k8s.io leases create',
  `coordination.k8s.io leases get ${id}`,
  `coordination.k8s.io leases patch ${id}`,
  `coordination.k8s.io leases update ${id}`,
].sort();

let cli: HelmCli;
beforeAll(async () => {
  cli = await createHelmCli();
});
afterAll(async () => {
  await cli.dispose();
});

/**
 * The controller's RBAC. The view/edit ClusterRoles aggregated into the built-in roles are for
 * people, bound to nobody by the chart; chart-extensions.test.ts checks them.
 */
const aggregated = (m: Manifest) => Object.keys(m.metadata.labels ?? {}).some((k) => k.startsWith('rbac.authorization.k8s.io/aggregate-to-'));
const rbacOf = (ms: Manifest[]) => ms.filter((m) => m.apiVersion.startsWith('rbac.authorization.k8s.io/') && !aggregated(m));
const roles = (ms: Manifest[]) => ms.filter((m) => m.kind === 'Role' || m.kind === 'ClusterRole');

function expectBindings(ms: Manifest[], release: string, releaseNs: string): void {
  for (const binding of ms.filter((m) => m.kind.endsWith('Binding'))) {
    const roleRef = binding.roleRef as { kind: string; name: string };
    const role = roles(ms).find((r) => r.kind === roleRef.kind && r.metadata.name === roleRef.name
      && (r.kind === 'ClusterRole' || r.metadata.namespace === binding.metadata.namespace));
    expect(role, `${binding.kind} ${binding.metadata.name} points at a rendered role`).toBeDefined();
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: release, namespace: releaseNs }]);
  }
}

describe('RBAC in cluster-wide mode', () => {
  it('grants the watch rules cluster-wide and the Lease rules in the release namespace only', async () => {
    const ms = rbacOf(await cli.render({}, { release: 'cert-deployer', namespace: 'ops' }));
    const cluster = roles(ms).filter((r) => r.kind === 'ClusterRole');
    expect(cluster).toHaveLength(1);
    expect(grants(cluster[0]!)).toEqual([...WATCH_GRANTS, ...policyGrants()].sort());
    const lease = roles(ms).filter((r) => r.kind === 'Role');
    expect(lease.map((r) => r.metadata.namespace)).toEqual(['ops']);
    expect(grants(lease[0]!)).toEqual(leaseGrants('cert-deployer-controller'));
    expectBindings(ms, 'cert-deployer', 'ops');
  });

  it('places the Lease Role where leaderElection.namespace says and names the Lease id', async () => {
    const ms = rbacOf(await cli.render({ leaderElection: { namespace: 'kube-system', id: 'my-lease' } }, { namespace: 'ops' }));
    const lease = roles(ms).filter((r) => r.kind === 'Role');
    expect(lease.map((r) => r.metadata.namespace)).toEqual(['kube-system']);
    expect(grants(lease[0]!)).toEqual(leaseGrants('my-lease'));
  });
});

describe('RBAC in namespaced mode', () => {
  it('grants the watch rules by a Role in each listed namespace; cluster-scoped only the read-only policy reader', async () => {
    const ms = rbacOf(await cli.render({ namespaces: ['shop', 'payments'] }, { release: 'cd', namespace: 'ops' }));
    const cluster = ms.filter((m) => m.kind === 'ClusterRole');
    expect(cluster.map((m) => m.metadata.name)).toEqual(['cd-cert-deployer-policy-reader']);
    expect(grants(cluster[0]!)).toEqual(policyGrants(['shop', 'payments']));
    expect(ms.filter((m) => m.kind.startsWith('Cluster')).map((m) => m.kind).sort()).toEqual(['ClusterRole', 'ClusterRoleBinding']);
    const byNs = new Map(roles(ms).filter((r) => r.kind === 'Role').map((r) => [r.metadata.namespace, grants(r)]));
    expect([...byNs.keys()].sort()).toEqual(['ops', 'payments', 'shop']);
    expect(byNs.get('shop')).toEqual(WATCH_GRANTS);
    expect(byNs.get('payments')).toEqual(WATCH_GRANTS);
    expect(byNs.get('ops')).toEqual(leaseGrants('cert-deployer-controller'));
    expectBindings(ms, 'cd-cert-deployer', 'ops');
  });
});

describe('RBAC never grants', () => {
  it.each([
    ['cluster-wide', {}],
    ['namespaced', { namespaces: ['a', 'b'] }],
    ['with every optional object on', { metrics: { serviceMonitor: { enabled: true } }, podDisruptionBudget: { enabled: true } }],
  ])('wildcards, pods, configmaps or write access to Secrets (%s)', async (_mode, values) => {
    const all = roles(rbacOf(await cli.render(values))).flatMap(grants);
    expect(all.length).toBeGreaterThan(0);
    for (const g of all) {
      expect(g).not.toMatch(/\*/);
      expect(g).not.toMatch(/ (pods|configmaps|serviceaccounts|nodes)\b/);
      expect(g).not.toMatch(/^core secrets (create|update|patch|delete|deletecollection)/);
      expect(g).not.toMatch(/ (delete|deletecollection|escalate|bind|impersonate)\b/);
      expect(g).not.toMatch(/^certdeployer\.io deploymentpolicies (create|update|patch|delete)/); // tenants' boundary: never written
      expect(g).not.toMatch(/^core namespaces (create|update|patch)/);
    }
  });

  it('renders no RBAC at all when rbac.create is false', async () => {
    const none = (ms: Manifest[]) => ms.filter((m) => m.apiVersion.startsWith('rbac.authorization.k8s.io/'));
    expect(none(await cli.render({ rbac: { create: false } }))).toEqual([]);
    expect(none(await cli.render({ rbac: { create: false }, namespaces: ['a'] }))).toEqual([]);
  });
});

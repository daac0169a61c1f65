/**
 * Tenants cannot write policy, proven by the real authorizer: a namespace admin (a user bound to
 * the built-in `admin` ClusterRole in their namespace by a RoleBinding) is asked about and then
 * actually attempts create/update/patch/delete of a DeploymentPolicy, and is refused every time;
 * the same calls as the cluster admin succeed, so the refusals mean something. The CRD admission
 * rules (CEL) refuse malformed policies even from the cluster admin.
 *
 * The test control plane runs no kube-controller-manager, so the built-in `admin` role's
 * aggregation (its rules are the union of every ClusterRole matching its aggregationRule, the
 * chart's included — it is installed first) is computed here exactly as the clusterrole-
 * aggregation controller would, into a copy the tenant is bound to.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace } from '../../support/kube.ts';
import { CHART_DIR, createHelmCli, type HelmCli } from '../chart/helm-cli.ts';

let cli: HelmCli;
let ns = '';
const user = `tenant-admin-${randomBytes(3).toString('hex')}`;
const policyName = `rbac-probe-${randomBytes(3).toString('hex')}`;

const policy = (spec: Record<string, unknown>) => ({ apiVersion: 'certdeployer.io/v1alpha1', kind: 'DeploymentPolicy', metadata: { name: policyName }, spec });

async function manifest(obj: unknown): Promise<string> {
  const f = join(await cli.valuesFile({}), '..', `m-${randomBytes(4).toString('hex')}.json`);
  await writeFile(f, JSON.stringify(obj));
  return f;
}

type Rule = { apiGroups?: string[]; resources?: string[]; verbs: string[] };
let aggregatedRules: Rule[] = [];

/**
 * The built-in admin role as the aggregation controller fills it (recursively: `edit` is
 * aggregated into admin and is itself an aggregation of `view`); returns the copy's name.
 */
async function aggregatedAdmin(): Promise<string> {
  type Role = { metadata: { name: string; labels?: Record<string, string> }; rules?: Rule[]; aggregationRule?: { clusterRoleSelectors: { matchLabels: Record<string, string> }[] } };
  const all = (JSON.parse((await cli.kubectl(['get', 'clusterroles', '-o', 'json'])).stdout) as { items: Role[] }).items;
  const rulesOf = (role: Role, seen: Set<string>): Rule[] => {
    if (seen.has(role.metadata.name)) return [];
    seen.add(role.metadata.name);
    if (!role.aggregationRule) return role.rules ?? [];
    const selected = all.filter((cr) => role.aggregationRule!.clusterRoleSelectors.some((sel) => Object.entries(sel.matchLabels).every(([k, v]) => cr.metadata.labels?.[k] === v)));
    return selected.flatMap((cr) => rulesOf(cr, seen));
  };
  aggregatedRules = rulesOf(all.find((r) => r.metadata.name === 'admin')!, new Set());
  const name = `aggregated-admin-${policyName}`;
  const created = await cli.kubectl(['create', '-f', await manifest({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules: aggregatedRules })]);
  expect(created.code, created.stderr).toBe(0);
  return name;
}

beforeAll(async () => {
  cli = await createHelmCli();
  ns = await createTestNamespace('tenant');
  const installed = await cli.helm(['install', `tr-${policyName}`, CHART_DIR, '--namespace', ns, '-f', await cli.valuesFile({ crds: { enabled: false } })]);
  expect(installed.code, installed.stderr).toBe(0);
  const role = await aggregatedAdmin();
  const bind = await cli.kubectl(['create', 'rolebinding', 'tenant-admin', `--clusterrole=${role}`, `--user=${user}`, '-n', ns]);
  expect(bind.code, bind.stderr).toBe(0);
});
afterAll(async () => {
  await cli.kubectl(['delete', 'deploymentpolicy', policyName, '--ignore-not-found']);
  await cli.kubectl(['delete', 'clusterrole', `aggregated-admin-${policyName}`, '--ignore-not-found']);
  await cli.helm(['uninstall', `tr-${policyName}`, '--namespace', ns]);
  await cli.dispose();
});

describe('a namespace admin cannot create or change a DeploymentPolicy', () => {
  it('the aggregated admin role holds no rule for deploymentpolicies (nor a wildcard in certdeployer.io)', () => {
    expect(aggregatedRules.length).toBeGreaterThan(10);
    const touches = aggregatedRules.filter((r) => (r.apiGroups ?? []).some((g) => g === 'certdeployer.io' || g === '*') && (r.resources ?? []).some((x) => x === 'deploymentpolicies' || x === '*'));
    expect(touches).toEqual([]);
  });

  it('is an admin of the namespace (can create Roles, Secrets, RoleBindings there)', async () => {
    for (const r of ['secrets', 'roles.rbac.authorization.k8s.io', 'rolebindings.rbac.authorization.k8s.io']) {
      const a = await cli.kubectl(['auth', 'can-i', 'create', r, '-n', ns, '--as', user]);
      expect(a.stdout.trim(), r).toBe('yes');
    }
  });

  it.each(['create', 'update', 'patch', 'delete', 'deletecollection'])('authorizer says no to %s deploymentpolicies', async (verb) => {
    const a = await cli.kubectl(['auth', 'can-i', verb, 'deploymentpolicies.certdeployer.io', '--as', user]);
    expect(a.stdout.trim()).toBe('no');
    const inNs = await cli.kubectl(['auth', 'can-i', verb, 'deploymentpolicies.certdeployer.io', '-n', ns, '--as', user]);
    expect(inNs.stdout.trim()).toBe('no');
  });

  it('a real create as the tenant is Forbidden; as the cluster admin it succeeds; the tenant cannot then change or delete it', async () => {
    const f = await manifest(policy({ namespaces: [ns], hosts: [{ local: {}, pathRoots: ['/'] }] }));
    const asTenant = await cli.kubectl(['create', '-f', f, '--as', user]);
    expect(asTenant.code).not.toBe(0);
    expect(asTenant.stderr).toMatch(/forbidden.*cannot create resource "deploymentpolicies" in API group "certdeployer.io" at the cluster scope/);

    const asAdmin = await cli.kubectl(['create', '-f', f]);
    expect(asAdmin.code, asAdmin.stderr).toBe(0);
    const patch = await cli.kubectl(['patch', 'deploymentpolicy', policyName, '--type=merge', '-p', '{"spec":{"unrestricted":true}}', '--as', user]);
    expect(patch.code).not.toBe(0);
    expect(patch.stderr).toMatch(/forbidden/);
    const del = await cli.kubectl(['delete', 'deploymentpolicy', policyName, '--as', user]);
    expect(del.code).not.toBe(0);
    const still = await cli.kubectl(['get', 'deploymentpolicy', policyName, '-o', 'jsonpath={.spec.unrestricted}']);
    expect(still.code, still.stderr).toBe(0);
    expect(still.stdout).toBe('false');
  });
});

describe('admission (CEL and schema) refuses malformed policies, even from the cluster admin', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['a relative program', { namespaces: ['a'], hosts: [{ local: {}, commands: [['sh', '-c', 'id']] }] }, /absolute canonical path/],
    ['a path root with ..', { namespaces: ['a'], hosts: [{ local: {}, pathRoots: ['/etc/../root'] }] }, /absolute canonical path/],
    ['a path root with a trailing slash', { namespaces: ['a'], hosts: [{ local: {}, pathRoots: ['/etc/'] }] }, /absolute canonical path/],
    ['ssh and local in one entry', { namespaces: ['a'], hosts: [{ local: {}, ssh: { address: 'h:22', hostKeys: ['ssh-ed25519 AAAA'] } }] }, /exactly one of ssh or local/],
    ['no namespaces and no selector', { hosts: [] }, /set namespaces, namespaceSelector or both/],
    ['a port above 65535', { namespaces: ['a'], dial: ['h:70000'] }, /port must be between 1 and 65535/],
  ];
  it.each(cases)('%s', async (_n, spec, message) => {
    const r = await cli.kubectl(['create', '--dry-run=server', '-f', await manifest(policy(spec))]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });

  it('accepts a well-formed policy (so the refusals above are about the rule, not the object)', async () => {
    const spec = { namespaceSelector: { matchLabels: { team: 'a' } }, hosts: [{ ssh: { address: 'edge-a:22', hostKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5'] }, pathRoots: ['/etc/nginx/tls'], commands: [['/usr/sbin/nginx', '-s', 'reload']] }], dial: ['edge-a:443'], credentialSecrets: ['edge-a-ssh'] };
    const r = await cli.kubectl(['create', '--dry-run=server', '-f', await manifest({ ...policy(spec), metadata: { name: `${policyName}-ok` } })]);
    expect(r.code, r.stderr).toBe(0);
  });
});

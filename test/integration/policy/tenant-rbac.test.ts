/**
 * Tenants cannot write policy, proven by the real authorizer: a namespace admin (a user bound to
 * the built-in `admin` ClusterRole in their namespace by a RoleBinding) is asked about and then
 * actually attempts create/update/patch/delete of a DeploymentPolicy, and is refused every time;
 * the same calls as the cluster admin succeed, so the refusals mean something. The CRD admission
 * rules (CEL) refuse malformed policies even from the cluster admin.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace } from '../../support/kube.ts';
import { createHelmCli, type HelmCli } from '../chart/helm-cli.ts';

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

beforeAll(async () => {
  cli = await createHelmCli();
  ns = await createTestNamespace('tenant');
  const bind = await cli.kubectl(['create', 'rolebinding', 'tenant-admin', '--clusterrole=admin', `--user=${user}`, '-n', ns]);
  expect(bind.code, bind.stderr).toBe(0);
});
afterAll(async () => {
  await cli.kubectl(['delete', 'deploymentpolicy', policyName, '--ignore-not-found']);
  await cli.dispose();
});

describe('a namespace admin cannot create or change a DeploymentPolicy', () => {
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

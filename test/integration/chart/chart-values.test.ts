/**
 * The chart lints, renders in both scopes, and refuses bad values before anything reaches the
 * cluster: values.schema.json rejects mistyped keys at every level, and the templates refuse
 * combinations that would run two leaders or a kubelet kill mid-shutdown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHART_DIR, createHelmCli, type HelmCli } from './helm-cli.ts';

let cli: HelmCli;
beforeAll(async () => {
  cli = await createHelmCli();
});
afterAll(async () => {
  await cli.dispose();
});

const kinds = async (values: unknown) => (await cli.render(values)).map((m) => m.kind).sort();

describe('helm lint and template', () => {
  it('lints cleanly (strict) with the default values and with namespaced values', async () => {
    const plain = await cli.helm(['lint', '--strict', CHART_DIR]);
    expect(plain.stderr + plain.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    expect(plain.code).toBe(0);
    const scoped = await cli.helm(['lint', '--strict', CHART_DIR, '-f', await cli.valuesFile({ namespaces: ['a', 'b'] })]);
    expect(scoped.code, scoped.stdout + scoped.stderr).toBe(0);
  });

  it('renders the cluster-wide set of objects by default', async () => {
    // Three ClusterRoles: the controller's, and the view/edit roles aggregated into the built-in
    // ones; the Pod and Service are the `helm test` hook (chart-extensions.test.ts).
    expect(await kinds({})).toEqual([
      'ClusterRole', 'ClusterRole', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'CustomResourceDefinition', 'Deployment', 'Pod', 'Role', 'RoleBinding', 'Service', 'ServiceAccount',
    ]);
  });

  it('renders a Role + RoleBinding per namespace and only the policy-reader ClusterRole in namespaced mode', async () => {
    expect(await kinds({ namespaces: ['a', 'b'], crds: { enabled: false }, rbac: { aggregateClusterRoles: false }, tests: { enabled: false } })).toEqual([
      'ClusterRole', 'ClusterRoleBinding', 'Deployment', 'Role', 'Role', 'Role', 'RoleBinding', 'RoleBinding', 'RoleBinding', 'ServiceAccount',
    ]);
  });

  it('installs no DeploymentPolicy by default, and renders the ones values list', async () => {
    expect(await kinds({})).not.toContain('DeploymentPolicy');
    const policies = [{ name: 'team-a', spec: { namespaces: ['team-a'], hosts: [{ local: {}, pathRoots: ['/srv/tls'] }] } }];
    expect((await kinds({ policies, crds: { enabled: false } })).filter((k) => k === 'DeploymentPolicy')).toHaveLength(1);
  });

  it('renders the optional metrics Service, ServiceMonitor and PodDisruptionBudget only when enabled', async () => {
    const all = await kinds({ metrics: { serviceMonitor: { enabled: true } }, podDisruptionBudget: { enabled: true } });
    expect(all).toEqual(expect.arrayContaining(['PodDisruptionBudget', 'Service', 'ServiceMonitor']));
    const notHooks = (await cli.render({})).filter((m) => m.metadata.annotations?.['helm.sh/hook'] === undefined).map((m) => m.kind);
    expect(notHooks).not.toEqual(expect.arrayContaining(['Service']));
  });

  it('omits the ServiceAccount when told to use an existing one, and requires its name', async () => {
    expect(await kinds({ serviceAccount: { create: false, name: 'existing' } })).not.toContain('ServiceAccount');
    const r = await cli.tryRender({ serviceAccount: { create: false } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/serviceAccount.name is required/);
  });
});

describe('values.schema.json rejects what a typo or a wrong type would silently ignore', () => {
  it.each([
    ['a root key', { replicaCont: 3 }, 'replicaCont'],
    ['an image key', { image: { tagg: 'v1' } }, 'tagg'],
    ['a policy key', { policy: { pathRoot: ['/etc/nginx'] } }, 'pathRoot'],
    ['a serviceAccount key', { serviceAccount: { anotations: {} } }, 'anotations'],
    ['a leaderElection key', { leaderElection: { enable: false } }, 'enable'],
    ['a nested metrics key', { metrics: { serviceMonitor: { enable: true } } }, 'enable'],
    ['a crds key', { crds: { keeps: false } }, 'keeps'],
  ])('fails on a mistyped %s', async (_what, values, key) => {
    const r = await cli.tryRender(values);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/values don't meet the specifications of the schema/);
    expect(r.stderr).toContain(`additional properties '${key}' not allowed`);
  });

  it.each([
    ['a relative path root', { policy: { pathRoots: ['etc/nginx'] } }, '/policy/pathRoots/0'],
    ['a command that is a string, not an argv', { policy: { commands: ['nginx -s reload'] } }, '/policy/commands/0'],
    ['an empty argv', { policy: { commands: [[]] } }, '/policy/commands/0'],
    ['a namespace that is not a DNS label', { namespaces: ['Shop_A'] }, '/namespaces/0'],
    ['a duplicated namespace', { namespaces: ['a', 'a'] }, '/namespaces'],
    ['concurrency out of range', { concurrency: 0 }, '/concurrency'],
    ['an unknown log level', { logLevel: 'verbose' }, '/logLevel'],
    ['an unknown log format', { logFormat: 'pretty' }, '/logFormat'],
    ['a string where a boolean belongs', { policy: { ambientCloudIdentity: 'yes' } }, '/policy/ambientCloudIdentity'],
    ['both PDB bounds', { podDisruptionBudget: { enabled: true, minAvailable: 1, maxUnavailable: 1 } }, '/podDisruptionBudget'],
  ])('fails on %s', async (_what, values, at) => {
    const r = await cli.tryRender(values);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/values don't meet the specifications of the schema/);
    expect(r.stderr).toContain(`at '${at}'`);
  });

  it('also fails `helm install` itself, before contacting the cluster with anything', async () => {
    const r = await cli.helm(['install', 'typo', CHART_DIR, '--dry-run=client', '--set', 'replicaCont=3']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('replicaCont');
  });
});

describe('template guards', () => {
  it('refuses more than one replica without leader election', async () => {
    const r = await cli.tryRender({ replicaCount: 2, leaderElection: { enabled: false } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/replicaCount > 1 needs leaderElection.enabled/);
    expect(await kinds({ replicaCount: 1, leaderElection: { enabled: false } })).not.toContain('Role');
  });

  it('refuses a termination grace period that does not exceed the shutdown grace', async () => {
    const r = await cli.tryRender({ shutdownGraceSeconds: 30, terminationGracePeriodSeconds: 30 });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/terminationGracePeriodSeconds \(30\) must be larger than shutdownGraceSeconds \(30\)/);
  });
});

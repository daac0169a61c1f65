/**
 * Least privilege proven by the real authorizer: the chart is `helm install`ed into the shared
 * kube-apiserver (no --wait: there are no nodes, pods never start), then the apiserver is asked
 * what the chart's ServiceAccount may do (`kubectl auth can-i --as`), and for namespaced mode a
 * real token of that ServiceAccount is used against Secrets in and out of scope.
 * The CRD is already applied by the global setup and owned by no release, so the installs use
 * crds.enabled=false; the CRD template is covered by crd-template.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace } from '../../support/kube.ts';
import { CHART_DIR, createHelmCli, type HelmCli } from './helm-cli.ts';

let cli: HelmCli;
const suffix = randomBytes(3).toString('hex');

beforeAll(async () => {
  cli = await createHelmCli();
});
afterAll(async () => {
  await cli.dispose();
});

async function install(release: string, namespace: string, values: unknown): Promise<void> {
  const r = await cli.helm(['install', release, CHART_DIR, '--namespace', namespace, '-f', await cli.valuesFile(values)]);
  expect(r.code, `helm install ${release}: ${r.stderr}`).toBe(0);
}

/** Asks the apiserver's authorizer; `kubectl auth can-i` exits 0 for yes and 1 for no. */
async function canI(sa: string, verb: string, resource: string, opts: { ns?: string; all?: boolean; subresource?: string } = {}): Promise<boolean> {
  const args = ['auth', 'can-i', verb, resource, '--as', sa];
  if (opts.all) args.push('--all-namespaces');
  else args.push('--namespace', opts.ns ?? 'default');
  if (opts.subresource) args.push('--subresource', opts.subresource);
  const r = await cli.kubectl(args);
  if (r.code !== 0 && r.code !== 1) throw new Error(`kubectl auth can-i failed (${r.code}): ${r.stderr}`);
  expect(r.stdout.trim()).toBe(r.code === 0 ? 'yes' : 'no');
  return r.code === 0;
}

describe('cluster-wide release', () => {
  let ns = '';
  let other = '';
  let sa = '';
  const release = `cdw-${suffix}`;

  beforeAll(async () => {
    ns = await createTestNamespace('chart-cw');
    other = await createTestNamespace('chart-other');
    await install(release, ns, { crds: { enabled: false } });
    sa = `system:serviceaccount:${ns}:${release}-cert-deployer`;
  });

  it('creates a ServiceAccount that does not automount its token', async () => {
    const r = await cli.kubectl(['get', 'serviceaccount', `${release}-cert-deployer`, '-n', ns, '-o', 'jsonpath={.automountServiceAccountToken}']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('false');
  });

  it('may read Secrets in every namespace', async () => {
    for (const verb of ['get', 'list', 'watch']) {
      expect(await canI(sa, verb, 'secrets', { ns: other }), `${verb} secrets`).toBe(true);
    }
    expect(await canI(sa, 'list', 'secrets', { all: true })).toBe(true);
  });

  it('may watch and patch CertificateDeployments, their status and finalizers', async () => {
    expect(await canI(sa, 'watch', 'certificatedeployments.certdeployer.io', { all: true })).toBe(true);
    expect(await canI(sa, 'patch', 'certificatedeployments.certdeployer.io', { ns: other })).toBe(true);
    expect(await canI(sa, 'patch', 'certificatedeployments.certdeployer.io', { ns: other, subresource: 'status' })).toBe(true);
    expect(await canI(sa, 'update', 'certificatedeployments.certdeployer.io', { ns: other, subresource: 'finalizers' })).toBe(true);
  });

  it('may read DeploymentPolicies and namespaces, and never write a policy', async () => {
    for (const verb of ['get', 'list', 'watch']) {
      expect(await canI(sa, verb, 'deploymentpolicies.certdeployer.io', { all: true }), `${verb} deploymentpolicies`).toBe(true);
      expect(await canI(sa, verb, 'namespaces', { all: true }), `${verb} namespaces`).toBe(true);
    }
    for (const verb of ['create', 'update', 'patch', 'delete']) {
      expect(await canI(sa, verb, 'deploymentpolicies.certdeployer.io', { all: true }), `${verb} deploymentpolicies`).toBe(false);
      expect(await canI(sa, verb, 'namespaces', { all: true }), `${verb} namespaces`).toBe(false);
    }
  });

  it('may record events.k8s.io Events', async () => {
    expect(await canI(sa, 'create', 'events.events.k8s.io', { ns: other })).toBe(true);
    expect(await canI(sa, 'patch', 'events.events.k8s.io', { ns: other })).toBe(true);
  });

  it('may create its Lease and update only that Lease, only in the release namespace', async () => {
    expect(await canI(sa, 'create', 'leases.coordination.k8s.io', { ns })).toBe(true);
    expect(await canI(sa, 'update', 'leases.coordination.k8s.io/cert-deployer-controller', { ns })).toBe(true);
    expect(await canI(sa, 'get', 'leases.coordination.k8s.io/cert-deployer-controller', { ns })).toBe(true);
    expect(await canI(sa, 'update', 'leases.coordination.k8s.io/someone-elses-lease', { ns })).toBe(false);
    expect(await canI(sa, 'update', 'leases.coordination.k8s.io/cert-deployer-controller', { ns: other })).toBe(false);
    expect(await canI(sa, 'create', 'leases.coordination.k8s.io', { ns: other })).toBe(false);
  });

  it.each([
    ['create', 'secrets'],
    ['update', 'secrets'],
    ['delete', 'secrets'],
    ['get', 'pods'],
    ['list', 'configmaps'],
    ['create', 'certificatedeployments.certdeployer.io'],
    ['delete', 'certificatedeployments.certdeployer.io'],
    ['update', 'certificatedeployments.certdeployer.io'],
    ['create', 'events'],
    ['create', 'serviceaccounts/token'],
    ['delete', 'events.events.k8s.io'],
  ])('may not %s %s', async (verb, resource) => {
    expect(await canI(sa, verb, resource, { ns: other })).toBe(false);
  });
});

describe('namespaced release', () => {
  let ns = '';
  let x = '';
  let y = '';
  let z = '';
  const release = `cdn-${suffix}`;
  let sa = '';

  beforeAll(async () => {
    ns = await createTestNamespace('chart-ns');
    x = await createTestNamespace('chart-x');
    y = await createTestNamespace('chart-y');
    z = await createTestNamespace('chart-z');
    await install(release, ns, { namespaces: [x, y], crds: { enabled: false } });
    sa = `system:serviceaccount:${ns}:${release}-cert-deployer`;
  });

  it('may read Secrets and patch CertificateDeployment status in the listed namespaces', async () => {
    for (const n of [x, y]) {
      expect(await canI(sa, 'list', 'secrets', { ns: n }), `list secrets in ${n}`).toBe(true);
      expect(await canI(sa, 'watch', 'secrets', { ns: n }), `watch secrets in ${n}`).toBe(true);
      expect(await canI(sa, 'patch', 'certificatedeployments.certdeployer.io', { ns: n, subresource: 'status' })).toBe(true);
      expect(await canI(sa, 'create', 'events.events.k8s.io', { ns: n })).toBe(true);
    }
  });

  it('may not read Secrets or CertificateDeployments anywhere else, nor cluster-wide', async () => {
    expect(await canI(sa, 'list', 'secrets', { ns: z })).toBe(false);
    expect(await canI(sa, 'get', 'secrets', { ns: z })).toBe(false);
    expect(await canI(sa, 'list', 'secrets', { ns })).toBe(false);
    expect(await canI(sa, 'list', 'secrets', { all: true })).toBe(false);
    expect(await canI(sa, 'list', 'certificatedeployments.certdeployer.io', { all: true })).toBe(false);
    expect(await canI(sa, 'create', 'events.events.k8s.io', { ns: z })).toBe(false);
  });

  it('has only the policy-reader cluster-scoped RBAC: read DeploymentPolicies and the watched namespaces, nothing else', async () => {
    // The view/edit roles aggregated into the built-in ones are for people (chart-extensions.test.ts).
    const r = await cli.kubectl(['get', 'clusterroles,clusterrolebindings', '-l', `app.kubernetes.io/instance=${release},!rbac.authorization.k8s.io/aggregate-to-admin`, '-o', 'name']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').sort()).toEqual([
      `clusterrole.rbac.authorization.k8s.io/${release}-cert-deployer-policy-reader`,
      `clusterrolebinding.rbac.authorization.k8s.io/${release}-cert-deployer-policy-reader`,
    ]);
    expect(await canI(sa, 'watch', 'deploymentpolicies.certdeployer.io', { all: true })).toBe(true);
    expect(await canI(sa, 'create', 'deploymentpolicies.certdeployer.io', { all: true })).toBe(false);
    expect(await canI(sa, 'get', `namespaces/${x}`, { all: true })).toBe(true);
    expect(await canI(sa, 'get', `namespaces/${z}`, { all: true })).toBe(false);
    // The same query finds the cluster-wide release's objects, so an empty answer means something.
    const cw = await cli.kubectl(['get', 'clusterroles', '-l', `app.kubernetes.io/instance=cdw-${suffix},!rbac.authorization.k8s.io/aggregate-to-admin`, '-o', 'name']);
    expect(cw.stdout.trim()).toBe(`clusterrole.rbac.authorization.k8s.io/cdw-${suffix}-cert-deployer-controller`);
  });

  it('with a real ServiceAccount token: lists Secrets in x, is forbidden in z', async () => {
    const token = await cli.kubectl(['create', 'token', `${release}-cert-deployer`, '-n', ns, '--duration', '10m']);
    expect(token.code, token.stderr).toBe(0);
    const server = await cli.kubectl(['config', 'view', '--raw', '-o', 'jsonpath={.clusters[0].cluster.server}']);
    const ca = await cli.kubectl(['config', 'view', '--raw', '-o', 'jsonpath={.clusters[0].cluster.certificate-authority-data}']);
    const caFile = join(await cli.valuesFile({}), '..', `ca-${suffix}.crt`);
    await writeFile(caFile, Buffer.from(ca.stdout, 'base64'));
    const asSa = (n: string) => cli.kubectl([
      '--kubeconfig', '/dev/null', '--server', server.stdout, '--certificate-authority', caFile, '--token', token.stdout.trim(),
      'get', 'secrets', '-n', n, '-o', 'name',
    ]);
    const inScope = await asSa(x);
    expect(inScope.code, inScope.stderr).toBe(0);
    const outOfScope = await asSa(z);
    expect(outOfScope.code).not.toBe(0);
    expect(outOfScope.stderr).toMatch(new RegExp(`secrets is forbidden: User "system:serviceaccount:${ns}:${release}-cert-deployer" cannot list resource "secrets" in API group "" in the namespace "${z}"`));
  });
});

/**
 * The chart's extension points, as users of cert-manager's and external-secrets' charts expect
 * them: extraArgs/extraEnv/volumes/volumeMounts (a proxy, a private CA bundle), overridable pod
 * and container security contexts (OpenShift assigns its own UID), aggregated view/edit roles,
 * an optional NetworkPolicy and a `helm test` hook; and the values schema still refusing what it
 * does not know. Rendered by the real helm; installed into the real kube-apiserver, whose RBAC
 * authorizer answers what the aggregated roles allow. Aggregation itself is done by
 * kube-controller-manager, which does not run here: the roles are bound directly instead.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/controller/config.ts';
import { createTestNamespace } from '../../support/kube.ts';
import { CHART_DIR, createHelmCli, findOne, type HelmCli, type Manifest } from './helm-cli.ts';

interface Container { args: string[]; env: { name: string; value?: string }[]; securityContext?: Record<string, unknown>; volumeMounts: { name: string; mountPath: string }[]; command?: string[]; image: string }
interface PodSpec { securityContext?: Record<string, unknown>; containers: Container[]; volumes: { name: string }[] }

let cli: HelmCli;
beforeAll(async () => {
  cli = await createHelmCli();
});
afterAll(async () => {
  await cli.dispose();
});

const podOf = (m: Manifest[]) => (findOne(m, 'Deployment').spec as { template: { spec: PodSpec } }).template.spec;

describe('extraArgs, extraEnv, volumes, volumeMounts', () => {
  const values = {
    extraArgs: ['--log-level=debug'],
    extraEnv: [{ name: 'HTTPS_PROXY', value: 'http://proxy.internal:3128' }, { name: 'NODE_EXTRA_CA_CERTS', value: '/etc/ssl/private-ca/ca.crt' }],
    volumes: [{ name: 'private-ca', configMap: { name: 'private-ca' } }],
    volumeMounts: [{ name: 'private-ca', mountPath: '/etc/ssl/private-ca', readOnly: true }],
  };

  it('appends them after the chart\'s own, and the controller\'s flag parser takes the result', async () => {
    const pod = podOf(await cli.render(values));
    const c = pod.containers[0]!;
    expect(c.args.at(-1)).toBe('--log-level=debug');
    expect(loadConfig(c.args, { POD_NAME: 'controller-0', POD_NAMESPACE: 'cert-deployer' }, 'unused').logLevel).toBe('debug');
    expect(c.env.map((e) => e.name)).toEqual(['POD_NAME', 'POD_NAMESPACE', 'HTTPS_PROXY', 'NODE_EXTRA_CA_CERTS']);
    expect(pod.volumes.map((v) => v.name)).toEqual(['tmp', 'private-ca']);
    expect(c.volumeMounts.map((v) => [v.name, v.mountPath])).toEqual([['tmp', '/tmp'], ['private-ca', '/etc/ssl/private-ca']]);
  });

  it('the schema refuses a non-flag extra arg, a nameless env var and a relative mount path', async () => {
    for (const [bad, where] of [
      [{ extraArgs: ['debug'] }, '/extraArgs/0'],
      [{ extraEnv: [{ value: 'x' }] }, '/extraEnv/0'],
      [{ volumeMounts: [{ name: 'a', mountPath: 'etc/ssl' }] }, '/volumeMounts/0/mountPath'],
    ] as const) {
      const r = await cli.tryRender(bad);
      expect(r.code, JSON.stringify(bad)).not.toBe(0);
      expect(r.stderr).toContain(where);
    }
  });
});

describe('security contexts', () => {
  it('default to non-root 65532, RuntimeDefault seccomp, read-only root, no capabilities', async () => {
    const pod = podOf(await cli.render({}));
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0]!.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
  });

  it('OpenShift: null drops the fixed UID/GID and keeps the rest', async () => {
    const pod = podOf(await cli.render({ podSecurityContext: { runAsUser: null, runAsGroup: null, fsGroup: null } }));
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  });

  it('the container context is replaceable key by key', async () => {
    const pod = podOf(await cli.render({ securityContext: { seLinuxOptions: { level: 's0:c123,c456' } } }));
    expect(pod.containers[0]!.securityContext).toMatchObject({ readOnlyRootFilesystem: true, seLinuxOptions: { level: 's0:c123,c456' } });
  });
});

describe('NetworkPolicy', () => {
  it('is off by default', async () => {
    expect((await cli.render({})).filter((m) => m.kind === 'NetworkPolicy')).toEqual([]);
  });

  it('opens only the metrics port, to the listed peers and the helm test pod; egress only when given', async () => {
    const peers = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }];
    const np = findOne(await cli.render({ networkPolicy: { enabled: true, metricsFrom: peers } }, { release: 'cd' }), 'NetworkPolicy').spec as {
      podSelector: { matchLabels: Record<string, string> }; policyTypes: string[]; ingress: { ports: unknown[]; from: unknown[] }[]; egress?: unknown[];
    };
    const deployment = findOne(await cli.render({}, { release: 'cd' }), 'Deployment').spec as { selector: { matchLabels: Record<string, string> } };
    expect(np.podSelector.matchLabels).toEqual(deployment.selector.matchLabels);
    expect(np.policyTypes).toEqual(['Ingress']);
    expect(np.ingress).toEqual([{ ports: [{ port: 'http-metrics', protocol: 'TCP' }], from: [...peers, { podSelector: { matchLabels: { ...deployment.selector.matchLabels, 'app.kubernetes.io/component': 'helm-test' } } }] }]);
    expect(deployment.selector.matchLabels['app.kubernetes.io/component']).toBe('controller');
    expect(np.egress).toBeUndefined();
    const egress = [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }];
    const withEgress = findOne(await cli.render({ networkPolicy: { enabled: true, egress } }), 'NetworkPolicy').spec as { policyTypes: string[]; egress: unknown[] };
    expect([withEgress.policyTypes, withEgress.egress]).toEqual([['Ingress', 'Egress'], egress]);
  });

  it('refuses unknown keys', async () => {
    const r = await cli.tryRender({ networkPolicy: { enabled: true, ingress: [] } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/networkPolicy.*additional properties 'ingress' not allowed/);
  });
});

describe('helm test hook', () => {
  let server: Server;
  let status = 200;
  beforeAll(async () => {
    server = createServer((_, res) => {
      res.statusCode = status;
      res.end(status === 200 ? 'ok' : 'informers not synced');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  /** Runs the rendered check script with the node binary the image ships (the same as this one). */
  const runCheck = async (script: string): Promise<number> => {
    const port = (server.address() as { port: number }).port;
    return new Promise((resolve) => {
      execFile(process.execPath, ['-e', script], { env: { READYZ_URL: `http://127.0.0.1:${port}/readyz`, READYZ_TIMEOUT_SECONDS: '3' } }, (err) => resolve(err ? Number(err.code) : 0));
    });
  };

  it('is a Service and a Pod running the controller image, both test hooks deleted on success', async () => {
    const m = await cli.render({}, { release: 'cd', namespace: 'ops' });
    const hooks = m.filter((x) => x.metadata.annotations?.['helm.sh/hook'] === 'test');
    expect(hooks.map((h) => `${h.kind}/${h.metadata.name}`)).toEqual(['Service/cd-cert-deployer-test', 'Pod/cd-cert-deployer-test-readyz']);
    for (const h of hooks) expect(h.metadata.annotations?.['helm.sh/hook-delete-policy']).toBe('before-hook-creation,hook-succeeded');
    const pod = (hooks[1]!.spec as PodSpec & { automountServiceAccountToken: boolean });
    const controller = podOf(m).containers[0]!;
    expect(pod.containers[0]!.image).toBe(controller.image);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers[0]!.securityContext).toEqual(controller.securityContext);
    expect(pod.containers[0]!.env).toEqual([{ name: 'READYZ_URL', value: 'http://cd-cert-deployer-test.ops.svc:8080/readyz' }]);
    expect(await cli.tryRender({ tests: { enabled: false } }).then((r) => r.stdout)).not.toContain('helm.sh/hook: test');
  });

  it('its check passes on 200 and fails on 503 (the rendered script, run by node)', async () => {
    const pod = (await cli.render({})).find((x) => x.kind === 'Pod')!.spec as PodSpec;
    const c = pod.containers[0]!;
    expect(c.command).toEqual(['/nodejs/bin/node', '-e']);
    expect(c.args[0]).toBe(await readFile(join(CHART_DIR, 'files', 'readyz-check.js'), 'utf8'));
    status = 200;
    expect(await runCheck(c.args[0]!)).toBe(0);
    status = 503;
    expect(await runCheck(c.args[0]!)).toBe(1);
  });
});

describe('installed into the real apiserver', () => {
  const release = `cdx-${randomBytes(3).toString('hex')}`;
  let ns = '';
  let tenant = '';

  beforeAll(async () => {
    ns = await createTestNamespace('chart-x');
    tenant = await createTestNamespace('chart-x-t');
    const values = { crds: { enabled: false }, replicaCount: 1, networkPolicy: { enabled: true, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] }, extraEnv: [{ name: 'HTTPS_PROXY', value: 'http://proxy:3128' }], volumes: [{ name: 'ca', configMap: { name: 'ca' } }], volumeMounts: [{ name: 'ca', mountPath: '/etc/ssl/ca' }] };
    const r = await cli.helm(['install', release, CHART_DIR, '--namespace', ns, '-f', await cli.valuesFile(values)]);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await cli.helm(['uninstall', release, '--namespace', ns]);
    for (const role of ['view', 'edit']) await cli.kubectl(['delete', 'clusterrole', `${release}-cert-deployer-${role}`, '--ignore-not-found']);
  });

  it('creates the NetworkPolicy, and the test hooks pass server-side validation', async () => {
    expect((await cli.kubectl(['get', 'networkpolicy', `${release}-cert-deployer`, '-n', ns])).code).toBe(0);
    const hooks = await cli.helm(['template', release, CHART_DIR, '--namespace', ns, '--show-only', 'templates/tests/readyz.yaml']);
    const path = await cli.valuesFile(null); // a fresh file in the test's temp dir, overwritten with the manifest
    await writeFile(path, hooks.stdout);
    const dry = await cli.kubectl(['apply', '--dry-run=server', '-f', path]);
    expect(dry.code, dry.stderr).toBe(0);
  });

  it('labels the roles for aggregation into view, edit and admin', async () => {
    const labels = async (role: string) => JSON.parse((await cli.kubectl(['get', 'clusterrole', `${release}-cert-deployer-${role}`, '-o', 'jsonpath={.metadata.labels}'])).stdout) as Record<string, string>;
    const agg = (l: Record<string, string>) => Object.keys(l).filter((k) => k.startsWith('rbac.authorization.k8s.io/aggregate-to-')).sort();
    expect(agg(await labels('view'))).toEqual(['rbac.authorization.k8s.io/aggregate-to-admin', 'rbac.authorization.k8s.io/aggregate-to-edit', 'rbac.authorization.k8s.io/aggregate-to-view']);
    expect(agg(await labels('edit'))).toEqual(['rbac.authorization.k8s.io/aggregate-to-admin', 'rbac.authorization.k8s.io/aggregate-to-edit']);
  });

  it('view reads CertificateDeployments, edit writes them, neither touches policies or Secrets', async () => {
    for (const [user, role] of [['viewer', 'view'], ['editor', 'edit']] as const) {
      const r = await cli.kubectl(['create', 'rolebinding', `${release}-${user}`, '-n', tenant, `--clusterrole=${release}-cert-deployer-${role}`, `--user=${release}-${user}`]);
      expect(r.code, r.stderr).toBe(0);
    }
    const can = async (user: string, verb: string, resource: string) => (await cli.kubectl(['auth', 'can-i', verb, resource, '-n', tenant, '--as', `${release}-${user}`])).code === 0;
    expect(await can('viewer', 'list', 'certificatedeployments.certdeployer.io')).toBe(true);
    expect(await can('viewer', 'create', 'certificatedeployments.certdeployer.io')).toBe(false);
    expect(await can('editor', 'create', 'certificatedeployments.certdeployer.io')).toBe(true);
    expect(await can('editor', 'patch', 'certificatedeployments.certdeployer.io')).toBe(true);
    for (const user of ['viewer', 'editor']) {
      expect(await can(user, 'create', 'deploymentpolicies.certdeployer.io')).toBe(false);
      expect(await can(user, 'get', 'secrets')).toBe(false);
    }
  });
});

/**
 * The rendered Deployment: the hardening a reviewer checks (non-root, read-only root, no
 * capabilities, seccomp), the probes and grace period, and — most important — that the args
 * the chart passes are exactly what the controller's own flag parser accepts and mean what the
 * values said.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/controller/config.ts';
import { createHelmCli, findOne, type HelmCli } from './helm-cli.ts';

interface Container {
  name: string;
  image: string;
  args: string[];
  env: { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  ports: { name: string; containerPort: number }[];
  securityContext: Record<string, unknown>;
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  volumeMounts: { name: string; mountPath: string }[];
}
interface PodSpec {
  automountServiceAccountToken: boolean;
  enableServiceLinks: boolean;
  serviceAccountName: string;
  terminationGracePeriodSeconds: number;
  securityContext: Record<string, unknown>;
  containers: Container[];
  volumes: { name: string; emptyDir?: object }[];
}

let cli: HelmCli;
beforeAll(async () => {
  cli = await createHelmCli();
});
afterAll(async () => {
  await cli.dispose();
});

async function pod(values: unknown, namespace = 'cert-deployer'): Promise<PodSpec> {
  const deployment = findOne(await cli.render(values, { namespace }), 'Deployment');
  return (deployment.spec as { template: { spec: PodSpec } }).template.spec;
}

/** What the controller would run with: the container args through the real flag parser. */
function configOf(spec: PodSpec, podNamespace: string) {
  const c = spec.containers[0]!;
  const fromDownwardApi = Object.fromEntries(c.env.map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath]));
  expect(fromDownwardApi).toEqual({ POD_NAME: 'metadata.name', POD_NAMESPACE: 'metadata.namespace' });
  return loadConfig(c.args, { POD_NAME: 'controller-0', POD_NAMESPACE: podNamespace }, 'unused');
}

describe('pod hardening', () => {
  it('runs non-root with a read-only root filesystem, no capabilities and RuntimeDefault seccomp', async () => {
    const spec = await pod({});
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    expect(spec.containers).toHaveLength(1);
    expect(spec.containers[0]!.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(spec.enableServiceLinks).toBe(false);
    expect(spec.automountServiceAccountToken).toBe(true);
  });

  it('mounts an emptyDir at /tmp, the only writable path', async () => {
    const spec = await pod({});
    expect(spec.containers[0]!.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(spec.volumes.find((v) => v.name === 'tmp')?.emptyDir).toBeDefined();
  });

  it('keeps the token off the ServiceAccount itself', async () => {
    const sa = findOne(await cli.render({}), 'ServiceAccount');
    expect(sa.automountServiceAccountToken).toBe(false);
  });
});

describe('probes and shutdown', () => {
  it('probes /healthz and /readyz on the metrics port the controller binds', async () => {
    const spec = await pod({ metrics: { port: 9443 } });
    const c = spec.containers[0]!;
    expect(c.ports).toEqual([{ name: 'http-metrics', containerPort: 9443, protocol: 'TCP' }]);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http-metrics' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http-metrics' });
    expect(configOf(spec, 'cert-deployer').metricsBindAddress).toBe('0.0.0.0:9443');
  });

  it('gives the kubelet grace period more time than the controller takes to shut down', async () => {
    for (const shutdownGraceSeconds of [1, 25, 120]) {
      const spec = await pod({ shutdownGraceSeconds });
      expect(configOf(spec, 'ns').shutdownGraceSeconds).toBe(shutdownGraceSeconds);
      expect(spec.terminationGracePeriodSeconds).toBeGreaterThan(shutdownGraceSeconds);
    }
    expect((await pod({ shutdownGraceSeconds: 25, terminationGracePeriodSeconds: 90 })).terminationGracePeriodSeconds).toBe(90);
  });
});

describe('controller flags', () => {
  it('default values parse to a cluster-wide, leader-elected controller in the release namespace', async () => {
    const cfg = configOf(await pod({}, 'ops'), 'ops');
    expect(cfg).toMatchObject({
      namespaces: [],
      leaderElect: true,
      leaderElectionNamespace: 'ops',
      leaderElectionId: 'cert-deployer-controller',
      identity: 'controller-0',
      concurrency: 4,
      deployTimeoutSeconds: 300,
      logLevel: 'info',
      logFormat: 'json',
      connectorRuntime: 'worker',
    });
    // Unset policy lists are left out: "not restricted by policy", which is not the same as [].
    expect(cfg.policy).toEqual({ ambientCloudIdentity: false });
  });

  it('passes every value through to the flag it names', async () => {
    const policy = {
      pathRoots: ['/etc/nginx/tls', '/etc/haproxy/certs'],
      hosts: ['edge-1.internal:22', 'edge-1.internal:443'],
      commands: [['/usr/sbin/nginx', '-t'], ['/usr/sbin/nginx', '-s', 'reload'], ['/bin/sh', '-c', 'echo "$HOME" && rm -rf / # not a shell']],
      ambientCloudIdentity: true,
    };
    const cfg = configOf(await pod({
      namespaces: ['shop', 'payments'],
      policy,
      leaderElection: { namespace: 'kube-system', id: 'cd-lease' },
      concurrency: 9,
      deployTimeoutSeconds: 42,
      shutdownGraceSeconds: 17,
      logLevel: 'debug',
      logFormat: 'text',
      connectorRuntime: 'in-process',
    }, 'ops'), 'ops');
    expect(cfg).toMatchObject({
      namespaces: ['shop', 'payments'],
      leaderElectionNamespace: 'kube-system',
      leaderElectionId: 'cd-lease',
      concurrency: 9,
      deployTimeoutSeconds: 42,
      shutdownGraceSeconds: 17,
      logLevel: 'debug',
      logFormat: 'text',
      connectorRuntime: 'in-process',
    });
    expect(cfg.policy).toEqual(policy);
  });

  it('keeps an explicitly empty policy list (deny all) distinct from an unset one', async () => {
    const cfg = configOf(await pod({ policy: { pathRoots: [], hosts: ['a.internal:22'] } }), 'ns');
    expect(cfg.policy).toEqual({ pathRoots: [], hosts: ['a.internal:22'], ambientCloudIdentity: false });
  });

  it('turns leader election off with one replica', async () => {
    const cfg = configOf(await pod({ replicaCount: 1, leaderElection: { enabled: false } }), 'ns');
    expect(cfg.leaderElect).toBe(false);
  });
});

describe('image', () => {
  it('defaults the tag to the appVersion and prefers a digest when given', async () => {
    expect((await pod({})).containers[0]!.image).toBe('ghcr.io/cert-deployer/cert-deployer:0.1.0');
    expect((await pod({ image: { tag: 'v9' } })).containers[0]!.image).toBe('ghcr.io/cert-deployer/cert-deployer:v9');
    const digest = `sha256:${'ab'.repeat(32)}`;
    expect((await pod({ image: { tag: 'v9', digest } })).containers[0]!.image).toBe(`ghcr.io/cert-deployer/cert-deployer@${digest}`);
  });
});

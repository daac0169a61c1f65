/**
 * The `cert-deployer` command line as a user meets it, through the real process: --help and
 * --version exit 0 without touching a cluster, every configuration error names its flag and
 * exits 2, and a missing or unusable kubeconfig outside a cluster fails at once (exit 2) with
 * a sentence saying what to do instead of retrying forever.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runMain, spawnController } from '../../support/controller-process.ts';
import { eventually } from '../../support/controller-harness.ts';

const kubeconfig = inject('kubeconfigPath');
let dir = '';
/** A HOME without ~/.kube, so nothing on this machine leaks into the "no kubeconfig" cases. */
let home = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cd-cli-'));
  home = join(dir, 'home');
  await import('node:fs/promises').then((fs) => fs.mkdir(home));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('--help and --version', () => {
  it('--help lists every flag with its default and environment variable, and exits 0', async () => {
    const r = await runMain(['--help'], { HOME: home });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const blocks = new Map(r.stdout.split(/\n(?= {2}--)/).slice(1).map((b) => [/^ {2}--([a-z-]+)/.exec(b)![1]!, b]));
    expect([...blocks.keys()]).toEqual(['kubeconfig', 'namespaces', 'metrics-bind-address', 'leader-elect', 'leader-election-namespace', 'leader-election-id', 'identity', 'concurrency', 'drift-concurrency', 'deploy-timeout-seconds', 'shutdown-grace-seconds', 'log-level', 'log-format', 'connector-runtime', 'policy', 'weak-credentials', 'deploy-span-file', 'plugin-dir', 'help', 'version']);
    // Defaults as the parser applies them (see the chart's values.yaml), env names as read.
    expect(blocks.get('concurrency')).toMatch(/default: 4\n\s+env: CERT_DEPLOYER_CONCURRENCY/);
    expect(blocks.get('metrics-bind-address')).toMatch(/default: 0\.0\.0\.0:8080\n\s+env: CERT_DEPLOYER_METRICS_BIND_ADDRESS/);
    expect(blocks.get('log-format')).toMatch(/json\|text[\s\S]*default: json\n\s+env: CERT_DEPLOYER_LOG_FORMAT/);
    expect(blocks.get('connector-runtime')).toMatch(/worker\|in-process[\s\S]*default: worker\n\s+env: CERT_DEPLOYER_CONNECTOR_RUNTIME/);
    expect(blocks.get('identity')).toMatch(/env: CERT_DEPLOYER_IDENTITY, POD_NAME/);
    expect(blocks.get('kubeconfig')).toMatch(/env: CERT_DEPLOYER_KUBECONFIG, KUBECONFIG/);
    for (const [flag, block] of blocks) {
      if (flag === 'help' || flag === 'version') continue;
      expect(block, flag).toMatch(/\n\s+default: \S.*\n\s+env: CERT_DEPLOYER_[A-Z_]+/);
    }
  });

  it('--help wins over a bad flag next to it', async () => {
    const r = await runMain(['--concurrency', 'lots', '--help'], { HOME: home });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: cert-deployer');
  });

  it('--version prints the package version and the commit the build passed', async () => {
    const pkg = JSON.parse(await readFile(join(import.meta.dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
    const built = await runMain(['--version'], { HOME: home, CERT_DEPLOYER_COMMIT: '0123abc' });
    expect(built.code).toBe(0);
    expect(built.stdout).toMatch(new RegExp(`^cert-deployer ${pkg.version.replaceAll('.', '\\.')} \\(commit 0123abc, node v\\d+`));
    const source = await runMain(['--version'], { HOME: home });
    expect(source.stdout).toContain('(commit unknown,');
  });
});

describe('configuration errors name the flag and exit 2', () => {
  it.each([
    [['--concurrency', 'lots'], {}, '--concurrency (CERT_DEPLOYER_CONCURRENCY): expected an integer, got "lots"'],
    [['--concurrency', '100'], {}, '--concurrency (CERT_DEPLOYER_CONCURRENCY): Too big'],
    [[], { CERT_DEPLOYER_LEADER_ELECT: 'yes' }, '--leader-elect (CERT_DEPLOYER_LEADER_ELECT): expected true or false, got "yes"'],
    [['--log-format', 'pretty'], {}, '--log-format (CERT_DEPLOYER_LOG_FORMAT)'],
    [['--metrics-bind-address', 'localhost'], {}, '--metrics-bind-address (CERT_DEPLOYER_METRICS_BIND_ADDRESS): host:port'],
    [['--policy', '{"pathRoots":["relative"]}'], {}, '--policy (CERT_DEPLOYER_POLICY): pathRoots.0: path roots must be absolute'],
    [['--policy', '{'], {}, '--policy (CERT_DEPLOYER_POLICY): not valid JSON'],
    [['--namespaces', 'Bad_NS'], {}, '--namespaces (CERT_DEPLOYER_NAMESPACES): 0: each namespace must be a DNS label'],
    [['--verbose'], {}, "Unknown option '--verbose'; run cert-deployer --help"],
  ] as [string[], Record<string, string>, string][])('%j %j', async (args, env, message) => {
    const r = await runMain(args, { HOME: home, ...env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });
});

describe('kubeconfig', () => {
  const unusable = async (args: string[], env: Record<string, string> = {}) => {
    const r = await runMain(args, { HOME: home, ...env }, 15_000);
    expect(r.code, `${r.stderr}${r.stdout}`).toBe(2); // null would mean it hung and was killed
    return r;
  };

  it('outside a cluster with none at all: exit 2 with what to do', async () => {
    const r = await unusable([]);
    expect(r.stderr).toMatch(/no kubeconfig: not running in a cluster .*pass --kubeconfig PATH \(or set KUBECONFIG\)/);
    expect(r.stderr).not.toMatch(/Invalid URL/);
  });

  it('a --kubeconfig path that does not exist', async () => {
    const r = await unusable(['--kubeconfig', join(dir, 'missing.yaml')]);
    expect(r.stderr).toContain(`kubeconfig ${join(dir, 'missing.yaml')} does not exist`);
  });

  it('KUBECONFIG pointing at a file that is not YAML', async () => {
    const bad = join(dir, 'garbage.yaml');
    await writeFile(bad, '{{{ not: yaml');
    const r = await unusable([], { KUBECONFIG: bad });
    expect(r.stderr).toContain(`kubeconfig ${bad} cannot be used`);
  });

  it('a kubeconfig without a current-context, and one whose cluster has no server', async () => {
    const noContext = join(dir, 'no-context.yaml');
    await writeFile(noContext, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    expect((await unusable(['--kubeconfig', noContext])).stderr).toContain('has no current-context');
    const noServer = join(dir, 'no-server.yaml');
    await writeFile(noServer, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "not a url"}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\nusers: [{name: u, user: {}}]\n');
    expect((await unusable(['--kubeconfig', noServer])).stderr).toContain('cluster "c" has no valid server URL');
  });

  it('in a pod without a service account token: exit 2 naming the token', async () => {
    const r = await unusable([], { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' });
    expect(r.stderr).toContain('service account token /var/run/secrets/kubernetes.io/serviceaccount/token is missing');
  });

  it('~/.kube/config is used when nothing else is given (controller-runtime precedence); --log-format text', async () => {
    const withConfig = join(dir, 'home-with-config');
    await import('node:fs/promises').then(async (fs) => {
      await fs.mkdir(join(withConfig, '.kube'), { recursive: true });
      await fs.copyFile(kubeconfig, join(withConfig, '.kube', 'config'));
    });
    const proc = await spawnController(['--leader-elect', 'false', '--namespaces', 'default', '--log-format', 'text'], { HOME: withConfig, CERT_DEPLOYER_COMMIT: 'feedbee' });
    try {
      const base = proc.metricsUrl.replace(/\/metrics$/, '');
      await eventually(async () => ((await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined), 30_000, '/readyz');
    } finally {
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
    }
    const lines = proc.logs.join('').split('\n').filter(Boolean);
    expect(lines.find((l) => l.includes('cert-deployer starting'))).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO {2}cert-deployer starting version=\S+ commit=feedbee identity=\S+ namespaces=\["default"\]/);
    expect(lines.at(-1)).toMatch(/Z INFO {2}stopped$/);
    expect(lines.filter((l) => l.startsWith('{'))).toEqual([]);
  });
});

/**
 * The agent form, packaged: the single executable hack/agent/build.sh makes (Node SEA: one file,
 * no node_modules, no Node on PATH) runs on the web server's own host with the least-privilege
 * RBAC of deploy/agent/rbac.yaml (a real ServiceAccount token, its namespace only), and a
 * CertificateDeployment with a `host: {local: {}}` nginx target, granted by a DeploymentPolicy,
 * becomes Ready with the certificate served by a real nginx on the same host. The systemd unit
 * is checked by systemd's own verifier and its offline security analysis; it does not run under
 * systemd here (no systemd as PID 1 in this machine), the executable runs as a plain process.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startManaged, type ManagedProcess } from '../../../hack/local-cluster/child-process.ts';
import { mintChain } from '../../support/certs/index.ts';
import { freePort } from '../../support/control-plane/ports.ts';
import { createDeployment, eventually, getDeployment, kubeClients, putTlsSecret } from '../../support/controller-harness.ts';
import { createTestNamespace } from '../../support/kube.ts';
import { deletePolicy, putPolicy } from '../../support/policy-fixtures.ts';
import { nginxSpec } from '../../support/servers/nginx.ts';
import { waitUntilServed } from '../../support/servers/tls-served.ts';
import { startWebServer, type WebServer } from '../../support/servers/web-server.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..', '..');
const SNI = 'web-01.example.test';
const fp = (pem: string): string => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');

let agentDir = '';
let dir = '';
let ns = '';
let other = '';
let nginx: WebServer | undefined;
let agent: ManagedProcess | undefined;
let metrics = '';
let startMs = 0;
const kubectl = (...args: string[]) => run(join(inject('k8sBinDir'), 'kubectl'), ['--kubeconfig', inject('kubeconfigPath'), ...args]);

beforeAll(() => {
  agentDir = process.env.CD_AGENT_DIR ?? execFileSync('bash', [join(ROOT, 'hack', 'agent', 'build.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
}, 600_000);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cd-agent-'));
  ns = await createTestNamespace('agent');
  other = await createTestNamespace('agent-o');
  // The shipped RBAC, for this namespace instead of web-01.
  const rbac = (await readFile(join(ROOT, 'deploy', 'agent', 'rbac.yaml'), 'utf8')).replaceAll('web-01', ns);
  await writeFile(join(dir, 'rbac.yaml'), rbac);
  await kubectl('apply', '-f', join(dir, 'rbac.yaml'));
  const token = (await kubectl('create', 'token', 'cert-deployer-agent', '-n', ns, '--duration', '1h')).stdout.trim();
  const cluster = kubeClients(inject('kubeconfigPath')).kc.getCurrentCluster()!;
  await writeFile(join(dir, 'kubeconfig'), JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'agent',
    clusters: [{ name: 'c', cluster: { server: cluster.server, 'certificate-authority-data': cluster.caData } }],
    users: [{ name: 'agent', user: { token } }],
    contexts: [{ name: 'agent', context: { cluster: 'c', user: 'agent', namespace: ns } }],
  }), { mode: 0o600 });

  await mkdir(join(dir, 'nginx', 'tls'), { recursive: true });
  nginx = await startWebServer(nginxSpec, { dir: join(dir, 'nginx'), files: { certificatePath: join(dir, 'nginx', 'tls', 'site.crt'), privateKeyPath: join(dir, 'nginx', 'tls', 'site.key') } });
  await putPolicy(kubeClients(inject('kubeconfigPath')).objects, `agent-${ns}`, {
    namespaces: [ns],
    hosts: [{ local: {}, pathRoots: [join(nginx.dir, 'tls')], commands: [[...nginx.configTestArgv], [...nginx.reloadArgv]] }],
    dial: [nginx.address],
  });

  metrics = `127.0.0.1:${await freePort()}`;
  const exe = join(agentDir, 'cert-deployer-agent');
  // What the systemd unit runs, with no Node and no node_modules in reach: an empty PATH
  // beyond the system directories and a working directory that holds nothing.
  const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: dir };
  const t0 = performance.now();
  agent = startManaged('agent', exe, ['--kubeconfig', join(dir, 'kubeconfig'), `--namespaces=${ns}`, '--leader-elect=false', '--connector-runtime=in-process', `--metrics-bind-address=${metrics}`, '--log-format=text'], join(dir, 'agent.log'), env);
  await eventually(async () => ((await fetch(`http://${metrics}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined), 90_000, 'agent /readyz')
    .catch(async (err: Error) => { throw new Error(`${err.message}\n${await agent!.tail(40)}`); });
  startMs = Math.round(performance.now() - t0);
}, 180_000);

afterAll(async () => {
  await agent?.stop();
  await nginx?.stop();
  const meta = agentDir === '' ? undefined : JSON.parse(await readFile(join(agentDir, 'agent.json'), 'utf8').catch(() => 'null')) as { executableBytes: number; bundleBytes: number; buildMs: number } | null;
  if (meta && startMs > 0) console.info(`[agent] executable ${(meta.executableBytes / 2 ** 20).toFixed(0)} MiB (bundle ${(meta.bundleBytes / 2 ** 20).toFixed(1)} MiB), built in ${meta.buildMs} ms; start → /readyz ${startMs} ms`);
  if (ns !== '') {
    await deletePolicy(kubeClients(inject('kubeconfigPath')).objects, `agent-${ns}`);
    await kubectl('delete', 'clusterrole,clusterrolebinding', `cert-deployer-agent-${ns}-policy-reader`, '--ignore-not-found');
  }
  if (dir !== '') await rm(dir, { recursive: true, force: true });
}, 60_000);

describe('the packaged agent', () => {
  it('is one executable that reports its version without a package.json beside it', async () => {
    const exe = join(agentDir, 'cert-deployer-agent');
    const head = (await readFile(exe)).subarray(0, 4);
    expect(head.toString('latin1')).toBe('\x7fELF');
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const { stdout } = await run(exe, ['--version'], { cwd: dir, env: { PATH: '/usr/bin:/bin' } });
    expect(stdout).toContain(`cert-deployer ${pkg.version} (`);
    expect(stdout).toContain(`node ${process.version}`);
  });

  it('deploys to nginx on its own host: Ready, and nginx serves the certificate', async () => {
    const { core, objects } = kubeClients(inject('kubeconfigPath'));
    const chain = await mintChain({ name: 'Agent', dnsNames: [SNI] });
    await putTlsSecret(core, ns, 'web-tls', chain.chainPem.slice(0, -1).join(''), chain.keyPem);
    await createDeployment(objects, ns, 'web', {
      secretRef: { name: 'web-tls' },
      targets: [{
        name: 'nginx',
        nginx: { host: { local: {} }, certificatePath: nginx!.files.certificatePath, privateKeyPath: nginx!.files.privateKeyPath, configTest: [...nginx!.configTestArgv], reload: [...nginx!.reloadArgv] },
        verify: { endpoints: [{ address: nginx!.address, serverName: SNI }], timeoutSeconds: 60 },
      }],
    });
    const status = await eventually(async () => {
      const d = await getDeployment(objects, ns, 'web');
      return d.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' && d.status.observedGeneration === d.metadata.generation ? d.status : undefined;
    }, 90_000, 'web Ready').catch(async (err: Error) => {
      throw new Error(`${err.message}\nstatus: ${JSON.stringify((await getDeployment(objects, ns, 'web')).status)}\n${await agent!.tail(40)}`);
    });
    expect(status.fingerprint).toBe(fp(chain.leafPem));
    expect(await waitUntilServed(nginx!.address, SNI, fp(chain.leafPem))).toBe(fp(chain.leafPem));
    expect((await agent!.tail(400)).split('\n').filter((l) => /forbidden/i.test(l))).toEqual([]);
  }, 150_000);

  it('its ServiceAccount reaches nothing outside its namespace and cannot write policies', async () => {
    const sa = `system:serviceaccount:${ns}:cert-deployer-agent`;
    const can = async (...args: string[]) => (await kubectl('auth', 'can-i', ...args, '--as', sa).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }))).stdout.trim() === 'yes';
    expect(await can('list', 'secrets', '-n', ns)).toBe(true);
    expect(await can('patch', 'certificatedeployments.certdeployer.io/status', '-n', ns)).toBe(true);
    expect(await can('list', 'secrets', '-n', other)).toBe(false);
    expect(await can('get', 'certificatedeployments.certdeployer.io', '-n', other)).toBe(false);
    expect(await can('create', 'secrets', '-n', ns)).toBe(false);
    expect(await can('create', 'deploymentpolicies.certdeployer.io')).toBe(false);
    expect(await can('watch', 'deploymentpolicies.certdeployer.io')).toBe(true);
    expect(await can('get', `namespaces/${other}`)).toBe(false);
    expect(await can('create', 'leases.coordination.k8s.io', '-n', ns)).toBe(false);
  });
});

describe('the systemd unit', () => {
  const unitPath = join(ROOT, 'deploy', 'agent', 'cert-deployer-agent.service');
  const directives = async () => new Map((await readFile(unitPath, 'utf8')).split('\n').filter((l) => /^[A-Z]\w+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const));

  it('is hardened: no new privileges, read-only system, writable only the certificate and log directories', async () => {
    const d = await directives();
    expect(d.get('NoNewPrivileges')).toBe('yes');
    expect(d.get('ProtectSystem')).toBe('strict');
    expect(d.get('ProtectHome')).toBe('yes');
    expect(d.get('PrivateTmp')).toBe('yes');
    expect(d.get('ReadWritePaths')).toBe('/etc/nginx/tls /var/log/nginx');
    expect(d.get('CapabilityBoundingSet')!.split(' ').sort()).toEqual(['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID']);
    expect(d.get('ExecStart')).toMatch(/^\/usr\/local\/bin\/cert-deployer-agent --kubeconfig=\$\{CREDENTIALS_DIRECTORY\}\/kubeconfig --leader-elect=false --connector-runtime=in-process /);
  });

  it.skipIf(!existsSync('/usr/bin/systemd-analyze'))('passes systemd-analyze verify, and its offline exposure score is at most 3 ("OK")', async () => {
    const unit = join(dir, 'cert-deployer-agent.service');
    await writeFile(unit, (await readFile(unitPath, 'utf8')).replaceAll('/usr/local/bin/cert-deployer-agent', join(agentDir, 'cert-deployer-agent')));
    const verify = await run('systemd-analyze', ['verify', unit]).then((r) => r.stderr, (e: { stderr: string }) => e.stderr);
    expect(verify).toBe('');
    const { stdout } = await run('systemd-analyze', ['security', '--offline=true', '--no-pager', unit]);
    const score = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(stdout)?.[1]);
    console.info(`[agent] systemd-analyze security exposure: ${score}`);
    expect(score).toBeLessThanOrEqual(3);
  });
});

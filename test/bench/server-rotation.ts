/**
 * Rotation benchmark for web-server connectors (not a test: it asserts nothing, it prints a table).
 *   node test/bench/server-rotation.ts nginx|apache [nginx|apache …] [--rotations 20] [--samples]
 *
 * On its own real control plane (etcd + kube-apiserver), with the real controller process
 * (`node src/main.ts`) and a real server started in a temp dir, it measures for each rotation
 * the time from the Secret update (the start of the `replace` call) to:
 *   - served: the first fresh TLS handshake (SNI, no session reuse, polled every 10 ms) that
 *     shows the new leaf — what a client sees;
 *   - Ready: the CertificateDeployment's status saying Ready=True with the new fingerprint,
 *     which the controller only writes after its own handshake verification.
 * Then p50 and p95 (nearest rank) per server. The first deploy is a warm-up and not counted.
 *
 * Adding a server (e.g. haproxy) is one entry in ADAPTERS: the CRD block name and a `start`
 * that runs the server in a dir and returns its TLS address and the block that targets it.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { mintChain, type MintedLeaf } from '../support/certs/index.ts';
import { applyCrds, startControlPlane } from '../../hack/local-cluster/index.ts';
import { spawnController, type ControllerProcess } from '../support/controller-process.ts';
import { putTlsSecret } from '../support/controller-harness.ts';
import { haproxyAdapter } from './haproxy-adapter.ts';
import { apacheSpec } from '../support/servers/apache.ts';
import { nginxSpec } from '../support/servers/nginx.ts';
import { firstServed } from '../support/servers/tls-served.ts';
import { startWebServer, type ServerSpec } from '../support/servers/web-server.ts';

/** A server under test, running, and the connector block that deploys to it. */
interface BenchServer {
  readonly address: string;
  readonly block: Record<string, unknown>;
  stop(): Promise<void>;
}

/** How to run one kind of server for the benchmark. */
interface ServerAdapter {
  /** The CRD block name of its connector. */
  readonly block: string;
  start(dir: string): Promise<BenchServer>;
}

/** nginx and apache: the test harness's server, addressed by its exact argv. */
function webServerAdapter(spec: ServerSpec, block: string): ServerAdapter {
  return {
    block,
    async start(dir) {
      const s = await startWebServer(spec, { files: { certificatePath: join(dir, 'site.crt'), privateKeyPath: join(dir, 'site.key') }, dir: join(dir, 'server') });
      return {
        address: s.address,
        block: { host: { local: {} }, certificatePath: s.files.certificatePath, privateKeyPath: s.files.privateKeyPath, configTest: [...s.configTestArgv], reload: [...s.reloadArgv] },
        stop: () => s.stop(),
      };
    },
  };
}

const ADAPTERS: Readonly<Record<string, ServerAdapter>> = {
  nginx: webServerAdapter(nginxSpec, 'nginx'),
  apache: webServerAdapter(apacheSpec, 'apache'),
  haproxy: haproxyAdapter,
};

const { values, positionals } = parseArgs({ options: { rotations: { type: 'string', default: '20' }, samples: { type: 'boolean', default: false } }, allowPositionals: true });
const rotations = Number(values.rotations);
const kinds = positionals.length > 0 ? positionals : ['nginx'];
for (const k of kinds) if (ADAPTERS[k] === undefined) throw new Error(`unknown server ${JSON.stringify(k)}; one of ${Object.keys(ADAPTERS).join(', ')}`);
if (!Number.isInteger(rotations) || rotations < 1) throw new Error('--rotations must be a positive integer');

const root = join(import.meta.dirname, '..', '..');
const binDir = process.env.CD_K8S_BIN_DIR ?? execFileSync('bash', [join(root, 'hack/local-cluster/k8s/build.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
const G = { group: 'certdeployer.io', version: 'v1alpha1', plural: 'certificatedeployments' };
const SNI = 'bench.example.test';
const fp = (pem: string): string => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
const tlsCrt = (leaf: MintedLeaf): string => leaf.chainPem.slice(0, -1).join('');
const percentile = (xs: readonly number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(p * xs.length) - 1)] ?? NaN;

type Status = { status?: { fingerprint?: string; observedGeneration?: number; conditions?: { type: string; status: string }[] }; metadata: { generation: number } };

const plane = await startControlPlane({ binDir });
const work = await mkdtemp(join(tmpdir(), 'cd-bench-rotation-'));
const running: BenchServer[] = [];
let ctl: ControllerProcess | undefined;
const rows: string[][] = [];
try {
  const kc = new KubeConfig();
  kc.loadFromFile(plane.kubeconfigPath);
  await applyCrds(kc, join(root, 'deploy', 'crds'));
  const core = kc.makeApiClient(CoreV1Api);
  const objects = kc.makeApiClient(CustomObjectsApi);
  const ns = 'bench-rotation';
  await core.createNamespace({ body: { metadata: { name: ns } } });
  ctl = await spawnController(['--kubeconfig', plane.kubeconfigPath, '--leader-elect', 'false', '--namespaces', ns, '--log-level', 'error']);
  const ready = async (name: string, fingerprint: string): Promise<boolean> => {
    const d = (await objects.getNamespacedCustomObject({ ...G, namespace: ns, name })) as Status;
    return d.status?.fingerprint === fingerprint && d.status.observedGeneration === d.metadata.generation && d.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
  };
  const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> => {
    const end = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${ctl?.logs.join('').slice(-4000) ?? ''}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  for (const kind of kinds) {
    const adapter = ADAPTERS[kind] as ServerAdapter;
    const server = await adapter.start(await mkdtemp(join(work, `${kind}-`)));
    running.push(server);
    const chain = await mintChain({ name: 'Bench', dnsNames: [SNI] });
    const leaves = [chain as MintedLeaf, ...(await Promise.all(Array.from({ length: rotations }, () => chain.issueLeaf({ dnsNames: [SNI] }))))];
    const secret = `${kind}-tls`;
    await putTlsSecret(core, ns, secret, tlsCrt(chain), chain.keyPem);
    await objects.createNamespacedCustomObject({ ...G, namespace: ns, body: {
      apiVersion: 'certdeployer.io/v1alpha1', kind: 'CertificateDeployment', metadata: { name: kind },
      spec: { secretRef: { name: secret }, targets: [{ name: kind, [adapter.block]: server.block, verify: { endpoints: [{ address: server.address, serverName: SNI }], timeoutSeconds: 60 } }] },
    } });
    await until(`${kind} warm-up Ready`, () => ready(kind, fp(chain.leafPem)));

    const served: number[] = [];
    const readyMs: number[] = [];
    for (const leaf of leaves.slice(1)) {
      const want = fp(leaf.leafPem);
      const t0 = performance.now();
      await putTlsSecret(core, ns, secret, tlsCrt(leaf), leaf.keyPem);
      if (!(await firstServed(server.address, SNI, want))) throw new Error(`${kind}: the new certificate was never served`);
      served.push(performance.now() - t0);
      await until(`${kind} Ready on ${want.slice(0, 12)}`, () => ready(kind, want));
      readyMs.push(performance.now() - t0);
      process.stderr.write(values.samples ? `${kind}: served ${Math.round(served.at(-1) ?? 0)} ms, Ready ${Math.round(readyMs.at(-1) ?? 0)} ms\n` : '.');
    }
    process.stderr.write('\n');
    const ms = (x: number): string => `${Math.round(x)} ms`;
    rows.push([kind, String(rotations), ms(percentile(served, 0.5)), ms(percentile(served, 0.95)), ms(percentile(readyMs, 0.5)), ms(percentile(readyMs, 0.95))]);
  }
} finally {
  ctl?.child.kill('SIGTERM');
  await ctl?.exited;
  await Promise.all(running.map((s) => s.stop()));
  await plane.stop();
  await rm(work, { recursive: true, force: true });
}

const header = ['server', 'rotations', 'served p50', 'served p95', 'Ready p50', 'Ready p95'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (r: readonly string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
console.log('Secret update → new certificate (handshake-verified), real controller process, local host');
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));

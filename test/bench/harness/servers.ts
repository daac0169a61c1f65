/**
 * Secret update → the new certificate served (first fresh TLS handshake showing it) by real
 * nginx, apache and haproxy, through the controller; next to each server's own update-to-served
 * time in the same run: the harness writes the files and runs the same reload command itself
 * (nginx, apache), or sends HAProxy the same Runtime API commands (set + commit ssl cert), with
 * no Kubernetes in between. The difference is what the controller adds.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { mintChain, putTlsSecret, type MintedLeaf } from '../../../hack/local-cluster/index.ts';
import { apacheSpec } from '../../support/servers/apache.ts';
import { runtimeCommand, startHaproxy } from '../../support/servers/haproxy.ts';
import { nginxSpec } from '../../support/servers/nginx.ts';
import { firstServed } from '../../support/servers/tls-served.ts';
import { startWebServer, type ServerSpec } from '../../support/servers/web-server.ts';
import type { BenchContext } from './context.ts';
import { fingerprintOf, G } from './fixtures.ts';
import { ReadyWatch } from './ready-watch.ts';
import { msText, percentile, type Section } from './report.ts';
import { startController } from './tools.ts';

const run = promisify(execFile);
const SNI = 'bench.example.test';
const tlsCrt = (leaf: MintedLeaf): string => leaf.chainPem.slice(0, -1).join('');

/** A running server, the connector block that targets it, and its own way to take a new pair. */
interface BenchServer {
  readonly address: string;
  readonly block: Record<string, unknown>;
  native(leaf: MintedLeaf): Promise<void>;
  stop(): Promise<void>;
}

function webServer(spec: ServerSpec) {
  return async (dir: string): Promise<BenchServer> => {
    const s = await startWebServer(spec, { files: { certificatePath: join(dir, 'site.crt'), privateKeyPath: join(dir, 'site.key') }, dir: join(dir, 'server') });
    const [cmd, ...args] = s.reloadArgv;
    return {
      address: s.address,
      block: { host: { local: {} }, certificatePath: s.files.certificatePath, privateKeyPath: s.files.privateKeyPath, configTest: [...s.configTestArgv], reload: [...s.reloadArgv] },
      async native(leaf) {
        await writeFile(s.files.certificatePath, tlsCrt(leaf));
        await writeFile(s.files.privateKeyPath, leaf.keyPem, { mode: 0o600 });
        await run(cmd!, args);
      },
      stop: () => s.stop(),
    };
  };
}

const SERVERS: Record<string, { block: string; start(dir: string): Promise<BenchServer> }> = {
  nginx: { block: 'nginx', start: webServer(nginxSpec) },
  apache: { block: 'apache', start: webServer(apacheSpec) },
  haproxy: {
    block: 'haproxy',
    async start(dir) {
      const s = await startHaproxy({ parentDir: dir });
      return {
        address: s.address,
        block: { host: { local: {} }, certificatePath: s.certificatePath, runtimeApi: { socketPath: s.socketPath } },
        async native(leaf) {
          await runtimeCommand(s.socketPath, `set ssl cert ${s.certificatePath} <<\n${tlsCrt(leaf)}${leaf.keyPem}\n`);
          await runtimeCommand(s.socketPath, `commit ssl cert ${s.certificatePath}`);
        },
        stop: () => s.stop(),
      };
    },
  },
};

/** Each server in turn: warm-up deploy, then `rotations` through the controller and as many natively. */
export async function serverRotation(ctx: BenchContext, kinds: readonly string[], rotations: number): Promise<Section> {
  const ns = 'bench-servers';
  await ctx.core.createNamespace({ body: { metadata: { name: ns } } });
  await ctx.objects.createClusterCustomObject({ group: G.group, version: G.version, plural: 'deploymentpolicies', body: {
    apiVersion: `${G.group}/${G.version}`, kind: 'DeploymentPolicy', metadata: { name: 'bench-servers' }, spec: { namespaces: [ns], unrestricted: true },
  } });
  const ctl = await startController(ctx, [ns]);
  const ready = await ReadyWatch.start(ctx.kc, ns);
  const rows: string[][] = [];
  const data: Record<string, { viaController: number[]; native: number[] }> = {};
  try {
    for (const kind of kinds) {
      ctx.log(`servers: ${kind}`);
      const a = SERVERS[kind]!;
      const server = await a.start(await mkdtemp(join(ctx.work, `${kind}-`)));
      try {
        const chain = await mintChain({ name: 'Bench', dnsNames: [SNI] });
        const secret = `${kind}-tls`;
        await putTlsSecret(ctx.core, ns, secret, tlsCrt(chain), chain.keyPem);
        await ctx.objects.createNamespacedCustomObject({ ...G, namespace: ns, body: {
          apiVersion: `${G.group}/${G.version}`, kind: 'CertificateDeployment', metadata: { name: kind },
          spec: { secretRef: { name: secret }, targets: [{ name: kind, [a.block]: server.block, verify: { endpoints: [{ address: server.address, serverName: SNI }], timeoutSeconds: 60 } }] },
        } });
        await Promise.all(ready.expect(new Map([[kind, fingerprintOf(chain.leafPem)]])));
        const via: number[] = [];
        const native: number[] = [];
        for (let i = 0; i < rotations; i++) {
          const leaf = await chain.issueLeaf({ dnsNames: [SNI] });
          const fp = fingerprintOf(leaf.leafPem);
          const settled = ready.expect(new Map([[kind, fp]]))[0]!;
          const t0 = performance.now();
          await putTlsSecret(ctx.core, ns, secret, tlsCrt(leaf), leaf.keyPem);
          if (!(await firstServed(server.address, SNI, fp))) throw new Error(`${kind}: never served after the Secret update`);
          via.push(performance.now() - t0);
          await settled; // the controller is done (verified, status written) before the native step
          const own = await chain.issueLeaf({ dnsNames: [SNI] });
          const t1 = performance.now();
          await server.native(own);
          if (!(await firstServed(server.address, SNI, fingerprintOf(own.leafPem)))) throw new Error(`${kind}: never served after its own reload`);
          native.push(performance.now() - t1);
        }
        data[kind] = { viaController: via, native };
        const p = (xs: number[], q: number): string => msText(percentile(xs, q));
        rows.push([kind, String(rotations), p(via, 0.5), p(via, 0.99), p(native, 0.5), p(native, 0.99), msText(percentile(via, 0.5) - percentile(native, 0.5))]);
      } finally {
        await server.stop();
      }
    }
  } finally {
    ready.close();
    await ctl.stop();
  }
  return {
    id: 'servers',
    title: 'Secret update → served by real servers',
    note: [
      'One CertificateDeployment per server (local host, handshake verification on). "via controller" runs from the Secret',
      'update to the first fresh TLS handshake (SNI, no session reuse, polled every 10 ms) that shows the new leaf;',
      '"server alone" from the harness writing the files and running the same reload command (nginx, apache) or sending',
      'the same Runtime API set/commit (haproxy) to the same first handshake. nginx and apache finish a reload',
      'asynchronously, so both columns include the server\'s own worker turnover.',
    ].join(' '),
    tables: [{ header: ['server', 'rotations', 'via controller p50', 'via controller p99', 'server alone p50', 'server alone p99', 'controller adds (p50)'], rows }],
    data,
  };
}

/**
 * End to end for a web-server connector: a CertificateDeployment on the real kube-apiserver,
 * reconciled by the real controller (in-process), deploying to real servers — one on this host
 * (agent mode) and one through a real sshd with an ssh-auth Secret — with `verify.endpoints`
 * pointing at them. Ready must mean "a fresh handshake shows the new fingerprint":
 *
 * - create → Ready, and a client sees the certificate on both servers;
 * - a reload that "succeeds" without the server taking the files → VerifyFailed, not Ready;
 * - the server refusing its configuration → DeployFailed quoting the server, the previous
 *   certificate still served;
 * - a Secret rotation → Ready on the new fingerprint, served;
 * - the apiserver itself refuses a block whose certificate and key paths are the same (CEL).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mintChain, type MintedChain, type MintedLeaf } from '../certs/index.ts';
import { createDeployment, eventually, getDeployment, kubeClients, putTlsSecret, startController, type RunningController } from '../controller-harness.ts';
import { createTestNamespace } from '../kube.ts';
import { startSshd, type Sshd } from '../../../packages/connector-sdk/src/testing/sshd.ts';
import { waitUntilChain, settledLeaf, waitUntilServed } from './tls-served.ts';
import { startWebServer, type ServerSpec, type WebServer } from './web-server.ts';

export interface EndToEndCases {
  readonly spec: ServerSpec;
  /** The CRD block name (`nginx`, `apache`). */
  readonly block: string;
  /** A directive the server's configuration test refuses, and its own words for it. */
  readonly brokenDirective: string;
  readonly brokenMessage: RegExp;
}

const SNI = 'shop.example.test';
const fp = (pem: string): string => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
/** The Secret as cert-manager writes it: leaf + intermediates in tls.crt, the key in tls.key. */
const tlsCrt = (leaf: MintedLeaf): string => leaf.chainPem.slice(0, -1).join('');

type TargetStatus = { name: string; ready: boolean; reason?: string; message?: string; fingerprint?: string };

/** Registers the end-to-end cases for one server kind. */
export function describeEndToEnd(cases: EndToEndCases): void {
  const kubeconfig = inject('kubeconfigPath');
  const { core, objects } = kubeClients(kubeconfig);
  let ns = '';
  let dir = '';
  let sshd: Sshd;
  let ctl: RunningController;
  let chain: MintedChain;
  const servers: Record<'local' | 'remote' | 'inert', WebServer | undefined> = { local: undefined, remote: undefined, inert: undefined };
  const server = (k: keyof typeof servers): WebServer => servers[k] as WebServer;

  const block = (s: WebServer, host: unknown, over: Record<string, unknown> = {}) => ({
    host,
    certificatePath: s.files.certificatePath,
    privateKeyPath: s.files.privateKeyPath,
    configTest: [...s.configTestArgv],
    reload: [...s.reloadArgv],
    ...over,
  });
  const verify = (s: WebServer, timeoutSeconds = 60) => ({ endpoints: [{ address: s.address, serverName: SNI }], timeoutSeconds });
  const sshHost = () => ({ ssh: { address: sshd.address, user: sshd.user, credentialsRef: { name: 'web-ssh' }, hostKey: sshd.hostKey.publicLine } });

  async function targetsOf(name: string): Promise<{ generation: number; observed?: number; ready?: string; fingerprint?: string; targets: TargetStatus[] }> {
    const d = await getDeployment(objects, ns, name);
    const ready = d.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    return {
      generation: d.metadata.generation,
      ...(d.status?.observedGeneration === undefined ? {} : { observed: d.status.observedGeneration }),
      ...(ready === undefined ? {} : { ready }),
      ...(d.status?.fingerprint === undefined ? {} : { fingerprint: d.status.fingerprint }),
      targets: (d.status?.targets ?? []) as TargetStatus[],
    };
  }

  /** Waits until target `target` of `name` has status matching `want`. */
  async function waitTarget(name: string, target: string, want: (t: TargetStatus) => boolean, what: string, timeoutMs = 90_000): Promise<TargetStatus> {
    return eventually(async () => (await targetsOf(name)).targets.find((t) => t.name === target && want(t)), timeoutMs, `${name}/${target}: ${what}`);
  }

  beforeAll(async () => {
    ns = await createTestNamespace(`e2e-${cases.block}`);
    dir = await mkdtemp(join(tmpdir(), `cd-e2e-${cases.block}-`));
    chain = await mintChain({ name: 'E2E', dnsNames: [SNI] });
    sshd = await startSshd();
    await core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'web-ssh' }, type: 'kubernetes.io/ssh-auth', stringData: { 'ssh-privatekey': sshd.clientKey.privateKey } },
    });
    for (const k of ['local', 'remote', 'inert'] as const) {
      servers[k] = await startWebServer(cases.spec, { files: { certificatePath: join(dir, k, 'site.crt'), privateKeyPath: join(dir, k, 'site.key') }, dir: join(dir, k) });
    }
    ctl = startController(kubeconfig, { namespaces: [ns] });
  }, 180_000);

  afterAll(async () => {
    await ctl?.stop();
    await Promise.all(Object.values(servers).map((s) => s?.stop()));
    await sshd?.stop();
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  }, 60_000);

  describe(`${cases.block} end to end from a CertificateDeployment`, () => {
    it('create → Ready only once both servers (local and over SSH) serve the new certificate', async () => {
      await putTlsSecret(core, ns, 'shop-tls', tlsCrt(chain), chain.keyPem);
      await createDeployment(objects, ns, 'shop', {
        secretRef: { name: 'shop-tls' },
        targets: [
          { name: 'local', [cases.block]: block(server('local'), { local: {} }), verify: verify(server('local')) },
          { name: 'remote', [cases.block]: block(server('remote'), sshHost()), verify: verify(server('remote')) },
        ],
      });
      const status = await eventually(async () => {
        const s = await targetsOf('shop');
        return s.ready === 'True' && s.observed === s.generation ? s : undefined;
      }, 90_000, 'shop Ready');
      expect(status.fingerprint).toBe(fp(chain.leafPem));
      expect(status.targets.map((t) => [t.name, t.ready, t.reason])).toEqual([['local', true, 'Deployed'], ['remote', true, 'Deployed']]);
      expect(status.targets[0]?.message).toMatch(/1 endpoint\(s\) serve/);
      const want = chain.chainPem.slice(0, -1).map(fp);
      for (const k of ['local', 'remote'] as const) expect(await waitUntilChain(server(k).address, SNI, want)).toEqual(want);
    });

    it('a reload that does not make the server take the files: VerifyFailed, never Ready', async () => {
      await createDeployment(objects, ns, 'inert', {
        secretRef: { name: 'shop-tls' },
        // `true` exits 0 but tells the server nothing: the files change on disk only.
        targets: [{ name: 'inert', [cases.block]: block(server('inert'), { local: {} }, { reload: ['/bin/true'] }), verify: verify(server('inert'), 3) }],
      });
      const t = await waitTarget('inert', 'inert', (x) => x.reason === 'VerifyFailed', 'VerifyFailed');
      expect(t.ready).toBe(false);
      expect(t.message).toMatch(new RegExp(`${server('inert').address.replace(/\./g, '\\.')} serves [0-9a-f]{12}…`));
      expect(await settledLeaf(server('inert').address, SNI)).not.toBe(fp(chain.leafPem));
    });

    it('the server refuses its configuration: DeployFailed quoting it, and the previous certificate is still served', async () => {
      const next = await chain.issueLeaf({ dnsNames: [SNI] });
      await server('local').setExtraDirectives(cases.brokenDirective);
      try {
        await putTlsSecret(core, ns, 'shop-tls', tlsCrt(next), next.keyPem);
        const t = await waitTarget('shop', 'local', (x) => x.reason === 'DeployFailed', 'DeployFailed');
        expect(t.message).toMatch(/config test failed \(previous files restored\)/);
        expect(t.message).toMatch(cases.brokenMessage);
        expect(await settledLeaf(server('local').address, SNI)).toBe(fp(chain.leafPem));
        // The other target is independent: it takes the new certificate.
        await waitTarget('shop', 'remote', (x) => x.ready && x.fingerprint === fp(next.leafPem), 'remote on the next certificate');
      } finally {
        await server('local').setExtraDirectives('');
      }
    });

    it('a Secret rotation → Ready on the new fingerprint, served by both servers', async () => {
      const rotated = await chain.issueLeaf({ dnsNames: [SNI], keyAlgorithm: 'rsa' });
      await putTlsSecret(core, ns, 'shop-tls', tlsCrt(rotated), rotated.keyPem);
      const status = await eventually(async () => {
        const s = await targetsOf('shop');
        return s.ready === 'True' && s.fingerprint === fp(rotated.leafPem) ? s : undefined;
      }, 90_000, 'shop Ready on the rotated certificate');
      expect(status.targets.every((t) => t.ready && t.fingerprint === fp(rotated.leafPem))).toBe(true);
      for (const k of ['local', 'remote'] as const) expect(await waitUntilServed(server(k).address, SNI, fp(rotated.leafPem))).toBe(fp(rotated.leafPem));
    });

    it('the apiserver refuses a block whose certificate and key paths are the same', async () => {
      const same = join(dir, 'same.pem');
      let message = '';
      try {
        await createDeployment(objects, ns, 'same-path', { secretRef: { name: 'shop-tls' }, targets: [{ name: 't', [cases.block]: { certificatePath: same, privateKeyPath: same } }] });
      } catch (err) {
        message = String((err as { body?: string }).body);
      }
      expect(message).toMatch(/must (all )?differ/);
    });
  });
}

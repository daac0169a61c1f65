/**
 * End to end on the real control plane: a CertificateDeployment with a `haproxy` target (runtime
 * API) and `verify.endpoints` drives the in-process controller to hot-update a REAL HAProxy 2.6.
 * Ready means a fresh handshake from the operator showed the new certificate. Then the Secret
 * rotates under client traffic: the new certificate is served with zero failed requests and
 * the same worker (no reload). A path HAProxy never loaded fails with the reason in status. The
 * same over SSH (real sshd, credentials from a kubernetes.io/ssh-auth Secret). The operator policy is narrowed to exactly the target's file
 * directory, socket and endpoint, as a production install would be.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mintChain, type MintedChain } from '../../../support/certs/index.ts';
import { createDeployment, eventually, kubeClients, putTlsSecret, readyOf, startController, type RunningController } from '../../../support/controller-harness.ts';
import { createTestNamespace } from '../../../support/kube.ts';
import { startHaproxy, type HaproxyServer } from '../../../support/servers/haproxy.ts';
import { startTraffic } from '../../../support/servers/haproxy-traffic.ts';
import { startSshd, type Sshd } from '../../../../packages/connector-sdk/src/testing/sshd.ts';

const kubeconfig = inject('kubeconfigPath');
const { core, objects } = kubeClients(kubeconfig);
const fp = (pem: string): string => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
const SNI = 'shop.example.test';

let ns = '';
let server: HaproxyServer;
let sshd: Sshd;
let remote: HaproxyServer;
let ctl: RunningController;
let chain: MintedChain;

beforeAll(async () => {
  ns = await createTestNamespace('haproxy');
  server = await startHaproxy();
  sshd = await startSshd();
  remote = await startHaproxy({ parentDir: sshd.dir });
  chain = await mintChain({ dnsNames: [SNI] });
  const servers = [server, remote];
  ctl = startController(kubeconfig, {
    namespaces: [ns],
    policy: {
      pathRoots: servers.map((s) => `${s.dir}/certs`),
      // The SSH address too: the controller dials it, and the policy covers every dial.
      hosts: [...servers.flatMap((s) => [`unix:${s.socketPath}`, s.address]), sshd.address],
      commands: [],
      ambientCloudIdentity: false,
    },
  });
});

afterAll(async () => {
  await ctl?.stop();
  await remote?.stop();
  await sshd?.stop();
  await server?.stop();
});

describe('haproxy connector end to end', () => {
  it('a CertificateDeployment hot-updates HAProxy, verified by handshake; a Secret rotation under traffic drops nothing', async () => {
    const worker = await server.workerPid();
    await putTlsSecret(core, ns, 'shop-tls', chain.chainPem.slice(0, -1).join(''), chain.keyPem);
    await createDeployment(objects, ns, 'shop', {
      secretRef: { name: 'shop-tls' },
      targets: [
        {
          name: 'edge',
          haproxy: { certificatePath: server.certificatePath, runtimeApi: { socketPath: server.socketPath } },
          verify: { endpoints: [{ address: server.address, serverName: SNI }], timeoutSeconds: 30 },
        },
      ],
    });
    const first = await eventually(async () => {
      const r = await readyOf(objects, ns, 'shop');
      return r?.ready === 'True' && r.status.fingerprint === fp(chain.leafPem) ? r : undefined;
    }, 60_000, 'shop Ready with the first certificate');
    expect(first.reason).toBe('Deployed');
    expect(first.status.targets?.[0]).toMatchObject({ name: 'edge', ready: true, fingerprint: fp(chain.leafPem) });
    expect((await server.served(SNI)).fingerprints[0]).toBe(fp(chain.leafPem));

    const next = await chain.issueLeaf({ dnsNames: [SNI] });
    let rotated = false;
    const traffic = startTraffic({
      port: server.port,
      serverName: SNI,
      maxRequests: 400,
      stopWhen: (s) => rotated && s.served.slice(-10).filter((x) => x === fp(next.leafPem)).length === 10,
    });
    await eventually(async () => (traffic.stats.served.length >= 10 ? true : undefined), 30_000, 'traffic on the first certificate');
    await putTlsSecret(core, ns, 'shop-tls', next.chainPem.slice(0, -1).join(''), next.keyPem);
    const second = await eventually(async () => {
      const r = await readyOf(objects, ns, 'shop');
      return r?.ready === 'True' && r.status.fingerprint === fp(next.leafPem) ? r : undefined;
    }, 60_000, 'shop Ready with the rotated certificate');
    rotated = true;
    const stats = await traffic.done;

    expect(second.status.targets?.[0]).toMatchObject({ ready: true, fingerprint: fp(next.leafPem) });
    expect(stats.failures).toEqual([]);
    expect(stats.served[0]).toBe(fp(chain.leafPem));
    expect(stats.served.at(-1)).toBe(fp(next.leafPem));
    expect((await server.served(SNI)).fingerprints).toEqual([fp(next.leafPem), fp(chain.intermediatePems[0] as string)]);
    expect(await server.workerPid()).toBe(worker);
    expect(ctl.events.some((e) => e.name === 'shop' && e.reason === 'Deployed')).toBe(true);
  });

  it('a path HAProxy never loaded: DeployFailed with the reason in status, nothing written, the served certificate unchanged', async () => {
    const before = (await server.served(SNI)).fingerprints[0];
    const other = `${server.dir}/certs/other.pem`;
    await putTlsSecret(core, ns, 'other-tls', chain.leafPem, chain.keyPem);
    await createDeployment(objects, ns, 'other', {
      secretRef: { name: 'other-tls' },
      targets: [{ name: 'edge', haproxy: { certificatePath: other, runtimeApi: { socketPath: server.socketPath } } }],
    });
    const r = await eventually(async () => {
      const x = await readyOf(objects, ns, 'other');
      return x?.ready === 'False' && x.reason === 'DeployFailed' ? x : undefined;
    }, 60_000, 'other DeployFailed');
    expect(r.status.targets?.[0]?.message).toMatch(/HAProxy has no certificate loaded from .*other\.pem/);
    await expect(stat(other)).rejects.toThrow(/ENOENT/);
    expect((await server.served(SNI)).fingerprints[0]).toBe(before);
  });

  it('over SSH: the controller logs in with the Secret\'s key, hot-updates through the forwarded socket, verifies by handshake', async () => {
    const worker = await remote.workerPid();
    await core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'lb-ssh' }, type: 'kubernetes.io/ssh-auth', data: { 'ssh-privatekey': Buffer.from(sshd.clientKey.privateKey).toString('base64') } },
    });
    await putTlsSecret(core, ns, 'remote-tls', chain.chainPem.slice(0, -1).join(''), chain.keyPem);
    await createDeployment(objects, ns, 'remote', {
      secretRef: { name: 'remote-tls' },
      targets: [
        {
          name: 'lb-1',
          haproxy: {
            host: { ssh: { address: sshd.address, user: sshd.user, credentialsRef: { name: 'lb-ssh' }, hostKey: sshd.hostKey.publicLine } },
            certificatePath: remote.certificatePath,
            runtimeApi: { socketPath: remote.socketPath },
          },
          verify: { endpoints: [{ address: remote.address, serverName: SNI }], timeoutSeconds: 30 },
        },
      ],
    });
    const r = await eventually(async () => {
      const x = await readyOf(objects, ns, 'remote');
      return x?.ready === 'True' && x.status.fingerprint === fp(chain.leafPem) ? x : undefined;
    }, 60_000, 'remote Ready').catch(async (err: unknown) => {
      throw new Error(`${(err as Error).message}: ${JSON.stringify((await readyOf(objects, ns, 'remote'))?.status)}`, { cause: err });
    });
    expect(r.status.targets?.[0]).toMatchObject({ name: 'lb-1', ready: true });
    expect((await remote.served(SNI)).fingerprints[0]).toBe(fp(chain.leafPem));
    expect(await remote.workerPid()).toBe(worker);
  });
});

/**
 * The world a fault run acts on: its own control plane (so etcd and kube-apiserver can be
 * restarted), moto for ACM, one sshd for a remote file target, a namespace with an
 * `unrestricted` policy, and one CertificateDeployment per Secret: `files` local file targets,
 * `acm` ACM targets on moto and one file target over SSH. Readers report what each target
 * really holds, from the outside (file contents and inodes, ACM through its own SDK client),
 * never from the controller's status.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OWNER_TAG_KEY } from '../../src/connectors/aws-acm/index.ts';
import { applyCrds, startControlPlane, type ControlPlane } from '../../hack/local-cluster/index.ts';
import { getDeployment, kubeClients, putTlsSecret } from '../../hack/local-cluster/kube-objects.ts';
import { mintChain, type MintedChain } from '../support/certs/index.ts';
import { acmReader, startMoto, TEST_ACCESS_KEY, type AcmReader, type MotoServer } from '../support/moto/index.ts';
import { allowAll } from '../support/policy-fixtures.ts';
import { startSshd, type Sshd } from '../../packages/connector-sdk/src/testing/sshd.ts';

export const fingerprintOfPem = (pem: string): string => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');

export type TargetKind = 'file' | 'acm' | 'ssh';

export interface FaultTarget {
  /** Deployment name = Secret name. */
  readonly name: string;
  readonly kind: TargetKind;
  readonly certificatePath?: string;
}

/** What a target holds right now, read from the target itself. */
export interface TargetState {
  readonly fingerprint: string | undefined;
  /** File targets: inode, mtime and size of the certificate and key; ACM: ARN and import time of each owned certificate. */
  readonly identity: string;
  /** ACM only: certificates carrying this target's owner tag. */
  readonly acmCount?: number;
}

export interface FaultFixture {
  readonly plane: ControlPlane;
  readonly moto: MotoServer;
  readonly acm: AcmReader;
  readonly sshd: Sshd;
  readonly namespace: string;
  readonly dir: string;
  readonly targets: readonly FaultTarget[];
  readonly clients: ReturnType<typeof kubeClients>;
  /** Puts a fresh leaf into the target's Secret; returns its fingerprint (the put may still fail). */
  rotate(name: string): Promise<string>;
  /** The leaf fingerprint the Secret holds now (the ground truth for "newest"). */
  secretFingerprint(name: string): Promise<string>;
  state(t: FaultTarget): Promise<TargetState>;
  /**
   * Every certificate in moto's ACM region: how many carry an owner tag (must be one per ACM
   * target), how many carry none (see converge.ts on moto's re-import), and their fingerprints.
   */
  acmCensus(): Promise<{ total: number; ownerTagged: number; untagged: readonly string[] }>;
  stop(): Promise<void>;
}

const ROOT_NAME = 'faults';

/** Starts everything and creates the deployments (no controller runs yet). */
export async function startFaultFixture(opts: { binDir: string; files: number; acm: number; log?: (m: string) => void }): Promise<FaultFixture> {
  const log = opts.log ?? (() => undefined);
  const dir = await mkdtemp(join(tmpdir(), 'cd-faults-'));
  const [plane, moto, sshd] = await Promise.all([startControlPlane({ binDir: opts.binDir }), startMoto(), startSshd()]);
  log(`control plane ${plane.server}, moto ${moto.endpoint}, sshd ${sshd.address}`);
  const clients = kubeClients(plane.kubeconfigPath);
  await applyCrds(clients.kc, join(import.meta.dirname, '..', '..', 'deploy', 'crds'));
  const { core, objects } = clients;
  const namespace = ROOT_NAME;
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await allowAll(objects, namespace);
  await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'aws-credentials' }, type: 'Opaque', stringData: { aws_access_key_id: TEST_ACCESS_KEY.accessKeyId, aws_secret_access_key: TEST_ACCESS_KEY.secretAccessKey } } });
  await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'ssh-credentials' }, type: 'kubernetes.io/ssh-auth', stringData: { 'ssh-privatekey': sshd.clientKey.privateKey } } });

  const chain: MintedChain = await mintChain({ name: 'Faults', dnsNames: ['faults.example.test'] });
  const acm = acmReader(moto);
  const targets: FaultTarget[] = [
    ...Array.from({ length: opts.files }, (_, i) => ({ name: `file-${i}`, kind: 'file' as const, certificatePath: join(dir, `file-${i}.crt`) })),
    ...Array.from({ length: opts.acm }, (_, i) => ({ name: `acm-${i}`, kind: 'acm' as const })),
    { name: 'ssh-0', kind: 'ssh' as const, certificatePath: join(sshd.dir, 'ssh-0.crt') },
  ];
  const rotate = async (name: string): Promise<string> => {
    const leaf = await chain.issueLeaf({ dnsNames: ['faults.example.test'] });
    await putTlsSecret(core, namespace, name, leaf.chainPem.slice(0, -1).join(''), leaf.keyPem);
    return fingerprintOfPem(leaf.leafPem);
  };
  const spec = (t: FaultTarget): Record<string, unknown> => {
    switch (t.kind) {
      case 'file':
        return { name: 'f', file: { certificatePath: t.certificatePath, privateKeyPath: t.certificatePath!.replace(/\.crt$/, '.key') } };
      case 'ssh':
        return { name: 'f', file: { host: { ssh: { address: sshd.address, user: sshd.user, credentialsRef: { name: 'ssh-credentials' }, hostKey: sshd.hostKey.publicLine } }, certificatePath: t.certificatePath, privateKeyPath: t.certificatePath!.replace(/\.crt$/, '.key') } };
      case 'acm':
        return { name: 'f', awsAcm: { region: 'us-east-1', endpoint: moto.endpoint, credentialsRef: { name: 'aws-credentials' } } };
    }
  };
  for (const t of targets) {
    await rotate(t.name);
    await objects.createNamespacedCustomObject({
      group: 'certdeployer.io', version: 'v1alpha1', plural: 'certificatedeployments', namespace,
      body: { apiVersion: 'certdeployer.io/v1alpha1', kind: 'CertificateDeployment', metadata: { name: t.name }, spec: { secretRef: { name: t.name }, targets: [spec(t)] } },
    });
  }
  const uids = new Map<string, string>();
  const ownerOf = async (name: string) => {
    if (!uids.has(name)) uids.set(name, ((await getDeployment(objects, namespace, name)).metadata as { uid?: string }).uid ?? '');
    return `${uids.get(name)}/f`;
  };

  return {
    plane, moto, acm, sshd, namespace, dir, targets, clients, rotate,
    async secretFingerprint(name) {
      const s = await core.readNamespacedSecret({ namespace, name });
      return fingerprintOfPem(Buffer.from(s.data?.['tls.crt'] ?? '', 'base64').toString('utf8'));
    },
    async state(t) {
      if (t.kind === 'acm') {
        const owned = await acm.owned(await ownerOf(t.name));
        return { fingerprint: owned.length === 1 ? owned[0]!.fingerprint : undefined, identity: owned.map((c) => `${c.arn}:${c.fingerprint}`).join(','), acmCount: owned.length };
      }
      try {
        const [pem, crt, key] = await Promise.all([readFile(t.certificatePath!, 'utf8'), stat(t.certificatePath!), stat(t.certificatePath!.replace(/\.crt$/, '.key'))]);
        return { fingerprint: fingerprintOfPem(pem), identity: [crt, key].map((s) => `${s.ino}:${s.mtimeMs}:${s.size}`).join('|') };
      } catch {
        return { fingerprint: undefined, identity: 'missing' };
      }
    },
    async acmCensus() {
      const all = await acm.list();
      const untagged = all.filter((c) => c.tags[OWNER_TAG_KEY] === undefined);
      return { total: all.length, ownerTagged: all.length - untagged.length, untagged: untagged.map((c) => `${c.arn} ${c.fingerprint.slice(0, 12)} tags=${JSON.stringify(c.tags)}`) };
    },
    async stop() {
      acm.client.destroy();
      await Promise.allSettled([plane.stop(), moto.stop(), sshd.stop()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

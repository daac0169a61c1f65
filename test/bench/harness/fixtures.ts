/**
 * The objects a benchmark run puts on the control plane: a namespace of N `kubernetes.io/tls`
 * Secrets, each with its own chain, opted in to the peer (cert-manager-sync's filepath store,
 * files named per Secret in one directory) and referenced by one CertificateDeployment each
 * (file connector, a temp dir the admin's DeploymentPolicy grants). Both tools see the same
 * Secrets; each writes its own files, which is all the harness judges them by.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { mintChain, type MintedChain, type MintedLeaf } from '../../../hack/local-cluster/index.ts';

export const G = { group: 'certdeployer.io', version: 'v1alpha1', plural: 'certificatedeployments' } as const;
const PEER = 'cert-manager-sync.lestak.sh';
/** The label every bench namespace carries; the bench DeploymentPolicy selects it. */
export const BENCH_LABEL = { 'bench.certdeployer.io/run': 'true' };

/** One Secret's current certificate and the files each tool should write for it. */
export interface Entry {
  readonly secret: string;
  readonly deployment: string;
  chain: MintedChain;
  leaf: MintedLeaf;
  readonly cdCert: string;
  readonly cdKey: string;
  readonly peerCert: string;
}

export interface Fixture {
  readonly ns: string;
  readonly entries: Entry[];
  readonly cdDir: string;
  readonly peerDir: string;
}

/** Runs `fn` over `items` with `n` in flight. */
export async function pool<T>(items: readonly T[], n: number, fn: (t: T, i: number) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (i < items.length) {
      const k = i++;
      await fn(items[k]!, k);
    }
  }));
}

/** Lowercase hex SHA-256 of the leaf's DER: what the controller records as `status.fingerprint`. */
export const fingerprintOf = (pem: string): string => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');

/** `tls.crt` as cert-manager writes it: the leaf, then the intermediates (no root). */
const tlsCrt = (leaf: MintedLeaf): string => leaf.chainPem.slice(0, -1).join('');

function secretBody(f: Fixture, e: Entry): Record<string, unknown> {
  return {
    metadata: {
      name: e.secret,
      annotations: {
        [`${PEER}/sync-enabled`]: 'true',
        [`${PEER}/filepath-dir`]: f.peerDir,
        [`${PEER}/filepath-cert`]: `${e.secret}.crt`,
        [`${PEER}/filepath-key`]: `${e.secret}.key`,
      },
    },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': Buffer.from(tlsCrt(e.leaf)).toString('base64'), 'tls.key': Buffer.from(e.leaf.keyPem).toString('base64') },
  };
}

/**
 * Creates namespace `ns` (labelled for the bench policy) with `n` Secrets and `n` deployments
 * whose files go under `work`. Nothing is running yet when this returns.
 */
export async function createFixture(core: CoreV1Api, objects: CustomObjectsApi, ns: string, n: number, work: string, opts: { deployments?: boolean } = {}): Promise<Fixture> {
  const f: Fixture = { ns, entries: [], cdDir: join(work, 'cd', ns), peerDir: join(work, 'peer', ns) };
  await mkdir(f.cdDir, { recursive: true });
  await mkdir(f.peerDir, { recursive: true });
  await core.createNamespace({ body: { metadata: { name: ns, labels: BENCH_LABEL } } });
  const chains = await Promise.all(Array.from({ length: n }, () => mintChain({ intermediates: 1 })));
  for (let i = 0; i < n; i++) {
    const chain = chains[i]!;
    f.entries.push({ secret: `s${i}`, deployment: `d${i}`, chain, leaf: chain, cdCert: join(f.cdDir, `s${i}.crt`), cdKey: join(f.cdDir, `s${i}.key`), peerCert: join(f.peerDir, `s${i}.crt`) });
  }
  await pool(f.entries, 16, (e) => core.createNamespacedSecret({ namespace: ns, body: secretBody(f, e) }));
  if (opts.deployments !== false) {
    await pool(f.entries, 16, (e) => objects.createNamespacedCustomObject({ ...G, namespace: ns, body: {
      apiVersion: `${G.group}/${G.version}`, kind: 'CertificateDeployment', metadata: { name: e.deployment },
      spec: { secretRef: { name: e.secret }, targets: [{ name: 'file', file: { certificatePath: e.cdCert, privateKeyPath: e.cdKey } }] },
    } }));
  }
  return f;
}

/** Issues each entry a new leaf from its own chain (before the clock starts). */
export async function nextLeaves(entries: readonly Entry[]): Promise<void> {
  const leaves = await Promise.all(entries.map((e) => e.chain.issueLeaf({})));
  entries.forEach((e, i) => (e.leaf = leaves[i]!));
}

/** Writes each entry's current leaf to its Secret (one PUT each): the rotation. */
export async function putSecrets(core: CoreV1Api, f: Fixture, entries: readonly Entry[], concurrency = 16): Promise<void> {
  await pool(entries, concurrency, (e) => core.replaceNamespacedSecret({ namespace: f.ns, name: e.secret, body: secretBody(f, e) }));
}

/** The admin's DeploymentPolicy for the bench: local files below `work` in bench namespaces. */
export async function putBenchPolicy(objects: CustomObjectsApi, work: string): Promise<void> {
  await objects.createClusterCustomObject({ group: G.group, version: G.version, plural: 'deploymentpolicies', body: {
    apiVersion: `${G.group}/${G.version}`, kind: 'DeploymentPolicy', metadata: { name: 'bench' },
    spec: { namespaceSelector: { matchLabels: BENCH_LABEL }, hosts: [{ local: {}, pathRoots: [work] }] },
  } });
}

/** Deletes the fixture's Secrets, so a later peer run (which caches every Secret) never sees them. */
export async function deleteSecrets(core: CoreV1Api, f: Fixture): Promise<void> {
  await pool(f.entries, 16, (e) => core.deleteNamespacedSecret({ namespace: f.ns, name: e.secret }));
}

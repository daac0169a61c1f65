/**
 * End to end with the real cert-manager: cert-manager (built from its Go modules, running as
 * a process against the shared kube-apiserver) issues a leaf from a CA it issued itself, and
 * cert-deployer deploys cert-manager's Secret with the `file` connector to a directory that a
 * real TLS server serves from, verifying by handshake. A manual renewal (what `cmctl renew`
 * does) makes cert-manager write a new leaf, and cert-deployer redeploys it on its own.
 */
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CERT_MANAGER_BUILD_TIMEOUT_MS, certManagerBinaries } from '../support/cert-manager/build.ts';
import { startCertManager, type RunningCertManager } from '../support/cert-manager/controller.ts';
import { servedLeafFingerprint, startFileTlsServer, type FileTlsServer } from '../support/cert-manager/file-tls-server.ts';
import {
  conditionOf, createCertificate, createIssuer, fingerprintOf, getCertificate, getIssuer, readTlsSecret, renewCertificate, type TlsSecret,
} from '../support/cert-manager/resources.ts';
import { keyMaterialNeedles } from '../support/certs/index.ts';
import { createDeployment, eventually, kubeClients, readyOf, startController, type RunningController } from '../support/controller-harness.ts';
import { createTestNamespace } from '../support/kube.ts';

const kubeconfigPath = inject('kubeconfigPath');
const { kc, core, objects } = kubeClients(kubeconfigPath);
const SERVER_NAME = 'web.example.test';
/** Issuance and deploys take about a second each here; the margins are for a loaded CI box. */
const WAIT_MS = 90_000;

let ns = '';
let dir = '';
let certPath = '';
let keyPath = '';
let cm: RunningCertManager | undefined;
let server: FileTlsServer | undefined;
let ctl: RunningController | undefined;

/** Waits for `what`, and on timeout appends cert-manager's log so a failure explains itself. */
async function waitFor<T>(check: () => Promise<T | undefined>, what: string): Promise<T> {
  try {
    return await eventually(check, WAIT_MS, what);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- cert-manager log ---\n${await cm?.tail(40)}`, { cause: err });
  }
}

const certificateReady = (name: string, minRevision = 1) => waitFor(async () => {
  const crt = await getCertificate(objects, ns, name);
  const ready = conditionOf(crt, 'Ready');
  return ready?.status === 'True' && (crt.status?.revision ?? 0) >= minRevision && !conditionOf(crt, 'Issuing') ? crt : undefined;
}, `Certificate ${name} Ready at revision ≥ ${minRevision}`);

const issuerReady = (name: string) => waitFor(async () => (conditionOf(await getIssuer(objects, ns, name), 'Ready')?.status === 'True' ? true : undefined), `Issuer ${name} Ready`);

/** The deployment's Ready=True status once it records `fingerprint`. */
const deployedWith = (fingerprint: string) => waitFor(async () => {
  const r = await readyOf(objects, ns, 'web');
  return r?.ready === 'True' && r.status.fingerprint === fingerprint ? r : undefined;
}, `CertificateDeployment web Ready with ${fingerprint.slice(0, 12)}…`);

async function expectFilesHold(secret: TlsSecret): Promise<void> {
  const crtFile = await readFile(certPath, 'utf8');
  expect(fingerprintOf(new X509Certificate(crtFile))).toBe(secret.leafFingerprint);
  const keyFile = await readFile(keyPath, 'utf8');
  expect(keyFile).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  const pub = (k: string) => createPublicKey(createPrivateKey(k)).export({ type: 'spki', format: 'der' }).toString('base64');
  expect(pub(keyFile)).toBe(secret.leaf.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'));
}

beforeAll(async () => {
  const binaries = await certManagerBinaries();
  ns = await createTestNamespace('cm-e2e');
  dir = await mkdtemp(join(tmpdir(), 'cd-cm-e2e-'));
  certPath = join(dir, 'web.crt');
  keyPath = join(dir, 'web.key');
  cm = await startCertManager({ kc, kubeconfigPath, binaries, namespace: ns });
  server = await startFileTlsServer(certPath, keyPath);
  ctl = startController(kubeconfigPath, {
    namespaces: [ns],
    policy: { pathRoots: [dir], hosts: [server.address], ambientCloudIdentity: false },
  });
}, CERT_MANAGER_BUILD_TIMEOUT_MS + 120_000);

afterAll(async () => {
  await ctl?.stop();
  await server?.close();
  await cm?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('pairing with the real cert-manager', () => {
  let first: TlsSecret;

  it('cert-manager issues a CA from a SelfSigned Issuer, and a leaf from that CA', async () => {
    await createIssuer(objects, ns, 'selfsigned', { selfSigned: {} });
    await createCertificate(objects, ns, 'root-ca', {
      isCA: true, commonName: 'cert-deployer e2e root', secretName: 'root-ca',
      privateKey: { algorithm: 'ECDSA', size: 256 }, issuerRef: { name: 'selfsigned', kind: 'Issuer' },
    });
    await certificateReady('root-ca');
    await createIssuer(objects, ns, 'ca', { ca: { secretName: 'root-ca' } });
    await issuerReady('ca');
    // The webhook would default and validate this; there is none, so the spec is complete.
    await createCertificate(objects, ns, 'web', {
      secretName: 'web-tls', dnsNames: [SERVER_NAME], duration: '1h', renewBefore: '20m',
      issuerRef: { name: 'ca', kind: 'Issuer' },
    });
    await certificateReady('web');
    first = (await readTlsSecret(core, ns, 'web-tls'))!;
    const ca = (await readTlsSecret(core, ns, 'root-ca'))!;
    expect(first.leaf.subjectAltName).toBe(`DNS:${SERVER_NAME}`);
    expect(first.leaf.checkIssued(ca.leaf)).toBe(true);
    expect(first.leaf.verify(ca.leaf.publicKey)).toBe(true);
    expect(first.ca).toContain('BEGIN CERTIFICATE');
    // cert-manager's default RSA key encoding is PKCS#1; the deployed key file must be PKCS#8.
    expect(first.key).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
  });

  it('a CertificateDeployment deploys the cert-manager Secret and the server serves it', async () => {
    await createDeployment(objects, ns, 'web', {
      secretRef: { name: 'web-tls' },
      targets: [{
        name: 'web',
        file: { certificatePath: certPath, privateKeyPath: keyPath },
        verify: { endpoints: [{ address: server!.address, serverName: SERVER_NAME }], timeoutSeconds: 30 },
      }],
    });
    const r = await deployedWith(first.leafFingerprint);
    expect(r.reason).toBe('Deployed');
    expect(r.status.targets?.[0]).toMatchObject({ name: 'web', ready: true, fingerprint: first.leafFingerprint });
    // Ready only after a fresh handshake showed the new leaf (the verify step).
    expect(r.status.targets?.[0]?.message).toMatch(/1 endpoint\(s\) serve/);
    await expectFilesHold(first);
    expect(await servedLeafFingerprint(server!.port, SERVER_NAME)).toBe(first.leafFingerprint);
  });

  it('a manual renewal (what cmctl renew does) is issued by cert-manager and redeployed', async () => {
    const before = await getCertificate(objects, ns, 'web');
    await renewCertificate(objects, ns, 'web');
    await certificateReady('web', (before.status?.revision ?? 1) + 1);
    const next = await waitFor(async () => {
      const s = await readTlsSecret(core, ns, 'web-tls');
      return s && s.leafFingerprint !== first.leafFingerprint ? s : undefined;
    }, 'a new leaf in web-tls');
    // The default rotationPolicy (Always) gives the renewed certificate a new key as well.
    expect(next.key).not.toBe(first.key);
    const r = await deployedWith(next.leafFingerprint);
    expect(r.status.targets?.[0]).toMatchObject({ ready: true, fingerprint: next.leafFingerprint });
    await expectFilesHold(next);
    expect(await servedLeafFingerprint(server!.port, SERVER_NAME)).toBe(next.leafFingerprint);
  });

  it('no private key from cert-manager appears in the deployment status or events', async () => {
    const r = await readyOf(objects, ns, 'web');
    const surfaces = [JSON.stringify(r?.object), JSON.stringify(ctl!.events)];
    for (const key of [(await readTlsSecret(core, ns, 'web-tls'))!.key, first.key]) {
      // Needles from the key in both its PKCS#8 form and the encoding cert-manager wrote.
      const pkcs8 = createPrivateKey(key).export({ type: 'pkcs8', format: 'pem' }).toString();
      const found = keyMaterialNeedles(pkcs8, [key]).filter((needle) => surfaces.some((s) => s.includes(needle)));
      expect(found.map((n) => `${n.slice(0, 8)}…`)).toEqual([]);
    }
  });
});

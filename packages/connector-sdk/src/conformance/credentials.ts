/**
 * Deployments for the cases, minted at test time (no key is ever committed) and built the
 * way the controller builds them: a kubernetes.io/tls Secret's fields through parseTlsSecret.
 * The expected fingerprints are computed here with node:crypto's own X509Certificate, not
 * taken from the Deployment, so a wrong fingerprint in the model would also show.
 */
import { X509Certificate } from 'node:crypto';
import { parseTlsSecret } from '../credential/index.ts';
import type { Deployment } from '../deployment.ts';
import { mintChain, type MintKeyAlgorithm } from '../testing/mint-chain.ts';

export interface TestCredential {
  readonly deployment: Deployment;
  /** The leaf key, PKCS#8 PEM: the canary for leak checks. */
  readonly keyPem: string;
  /** Independently computed, leaf first: leaf, intermediates, and the root when it was given. */
  readonly chainFingerprints: readonly string[];
}

export interface CredentialOptions {
  readonly keyAlgorithm?: Extract<MintKeyAlgorithm, 'rsa' | 'ecdsa-p256' | 'ecdsa-p384' | 'ed25519'>;
  readonly intermediates?: number;
  /** Put the root in ca.crt (cert-manager does for private CAs); default false. */
  readonly withRoot?: boolean;
  /** Names the CA chain, so two credentials in one test are told apart in failures. */
  readonly name?: string;
}

/** Lowercase hex SHA-256 of a certificate PEM's DER, via node:crypto. */
export function fingerprintOfPem(pem: string): string {
  return new X509Certificate(pem).fingerprint256.replaceAll(':', '').toLowerCase();
}

/** Mints a chain and turns it into a Deployment through the credential model. */
export async function mintCredential(opts: CredentialOptions = {}): Promise<TestCredential> {
  const chain = await mintChain({
    keyAlgorithm: opts.keyAlgorithm ?? 'ecdsa-p256',
    intermediates: opts.intermediates ?? 1,
    name: opts.name ?? 'Conformance',
    dnsNames: ['conformance.example.test'],
  });
  const tlsCrt = [chain.leafPem, ...chain.intermediatePems].join('');
  const deployment = parseTlsSecret(
    { 'tls.crt': tlsCrt, 'tls.key': chain.keyPem, ...(opts.withRoot === true ? { 'ca.crt': chain.rootPem } : {}) },
    { now: new Date() },
  );
  const expected = [chain.leafPem, ...chain.intermediatePems, ...(opts.withRoot === true ? [chain.rootPem] : [])];
  return { deployment, keyPem: chain.keyPem, chainFingerprints: expected.map(fingerprintOfPem) };
}

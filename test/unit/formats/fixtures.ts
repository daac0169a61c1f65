/**
 * Shared fixtures for the format tests: real Deployments built by the real credential model
 * from freshly minted chains, plus the facts tests compare openssl's output against.
 */
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { parseTlsSecret } from '../../../packages/connector-sdk/src/credential/index.ts';
import type { Deployment, KeyAlgorithm } from '../../../packages/connector-sdk/src/deployment.ts';
import { mintChain, type CaKeyAlgorithm, type MintedChain } from '../../support/certs/index.ts';

export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = ['rsa', 'ecdsa-p256', 'ecdsa-p384', 'ed25519'];

export interface Fixture {
  readonly chain: MintedChain;
  /** Built with `ca.crt` = root, so `chainPem` is leaf, intermediates, root. */
  readonly dep: Deployment;
}

/** Mints a chain and parses it the way the controller would (root supplied via `ca.crt`). */
export async function fixture(keyAlgorithm: KeyAlgorithm, opts: { caKeyAlgorithm?: CaKeyAlgorithm; intermediates?: number } = {}): Promise<Fixture> {
  const chain = await mintChain({ keyAlgorithm, caKeyAlgorithm: opts.caKeyAlgorithm ?? 'ecdsa-p256', intermediates: opts.intermediates ?? 1 });
  const dep = parseTlsSecret({ 'tls.crt': [chain.leafPem, ...chain.intermediatePems].join(''), 'tls.key': chain.keyPem, 'ca.crt': chain.rootPem }, { now: new Date() });
  return { chain, dep };
}

/** Lowercase hex SHA-256 of a PEM certificate's DER: the form of `Deployment.fingerprint`. */
export function sha256Of(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
}

/** DER SubjectPublicKeyInfo, hex, of a certificate or a private/public key PEM. */
export function spkiHex(pem: string): string {
  const key = pem.includes('CERTIFICATE') ? new X509Certificate(pem).publicKey : createPublicKey(pem);
  return key.export({ type: 'spki', format: 'der' }).toString('hex');
}

/** Canonical PKCS#8 DER, hex, of any private key PEM: equal means the same private key. */
export function pkcs8Hex(pem: string): string {
  return createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' }).toString('hex');
}

/** Normalises PEM text for comparison (LF, one trailing newline). */
export function normalisePem(pem: string): string {
  return pem.replace(/\r\n/g, '\n').trimEnd() + '\n';
}

/**
 * Test certificates generated at test time with @peculiar/x509 (no fixtures on disk, no
 * external tools): a CA, intermediates and leaves with DNS SANs, plus their fingerprints.
 */
import { createHash, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface TestCert {
  readonly certPem: string;
  readonly keyPem: string;
  readonly der: Uint8Array;
  /** Lowercase hex SHA-256 of the DER. */
  readonly fingerprint: string;
  readonly subject: string;
  readonly keys: CryptoKeyPair;
}

async function keyPem(keys: CryptoKeyPair): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as unknown as webcrypto.CryptoKey);
  const b64 = Buffer.from(pkcs8).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

async function finish(cert: x509.X509Certificate, keys: CryptoKeyPair, subject: string): Promise<TestCert> {
  const der = new Uint8Array(cert.rawData);
  return {
    certPem: cert.toString('pem'),
    keyPem: await keyPem(keys),
    der,
    fingerprint: createHash('sha256').update(der).digest('hex'),
    subject,
    keys,
  };
}

function newKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as unknown as Promise<CryptoKeyPair>;
}

/** A self-signed CA. */
export async function makeCa(cn: string): Promise<TestCert> {
  const keys = await newKeys();
  const subject = `CN=${cn}`;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: subject,
    keys,
    signingAlgorithm: ALG,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
  });
  return finish(cert, keys, subject);
}

/** An intermediate CA signed by `issuer`. */
export async function makeIntermediate(issuer: TestCert, cn: string): Promise<TestCert> {
  const keys = await newKeys();
  const subject = `CN=${cn}`;
  const cert = await x509.X509CertificateGenerator.create({
    subject,
    issuer: issuer.subject,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: ALG,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
  });
  return finish(cert, keys, subject);
}

/** A server leaf for `dnsNames` (and 127.0.0.1) signed by `issuer`. */
export async function makeLeaf(issuer: TestCert, dnsNames: readonly string[]): Promise<TestCert> {
  const keys = await newKeys();
  const subject = `CN=${dnsNames[0] ?? 'leaf'}`;
  const cert = await x509.X509CertificateGenerator.create({
    subject,
    issuer: issuer.subject,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.SubjectAlternativeNameExtension([...dnsNames.map((value) => ({ type: 'dns' as const, value })), { type: 'ip', value: '127.0.0.1' }]),
    ],
  });
  return finish(cert, keys, subject);
}

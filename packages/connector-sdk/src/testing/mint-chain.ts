/**
 * Mints (for the demo's sample Secret and for every test) a real certificate chain (root → intermediates → leaf) at test time, so
 * no private key is ever committed and every test can ask for exactly the dates, names and
 * key types it needs. Certificates are built with @peculiar/x509 over Node's webcrypto; the
 * leaf key comes from node:crypto so that key types webcrypto cannot generate (DSA, Ed448,
 * P-521) can be minted too, for rejection tests.
 *
 * Private keys exist only in memory: CA keys stay `CryptoKey`s inside the returned issuer,
 * the leaf key is returned as a PKCS#8 PEM string.
 */
// @peculiar/x509 uses tsyringe, which refuses to load unless the Reflect metadata API exists.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { Buffer } from 'node:buffer';
import { createPrivateKey, createPublicKey, generateKeyPair, webcrypto, type KeyObject } from 'node:crypto';

// The project compiles without the DOM lib, so the WebCrypto types come from node:crypto.
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type Algorithm = webcrypto.Algorithm;
import { promisify } from 'node:util';

x509.cryptoProvider.set(webcrypto as unknown as ReturnType<typeof x509.cryptoProvider.get>);

/** Leaf key types: the four the product accepts plus three it must reject. */
export type MintKeyAlgorithm = 'rsa' | 'ecdsa-p256' | 'ecdsa-p384' | 'ecdsa-p521' | 'ed25519' | 'ed448' | 'dsa';
/** CA key types (webcrypto can sign with these). */
export type CaKeyAlgorithm = 'rsa' | 'ecdsa-p256' | 'ecdsa-p384' | 'ed25519';

export interface LeafOptions {
  /** Leaf key type; default `ecdsa-p256` (fast). */
  readonly keyAlgorithm?: MintKeyAlgorithm;
  /** SAN DNS entries; default `['example.test']`. */
  readonly dnsNames?: readonly string[];
  /** SAN IP entries; default none. */
  readonly ipAddresses?: readonly string[];
  /** Leaf subject CN; default the first DNS name, else `leaf`. */
  readonly commonName?: string;
  /** Default one hour ago. */
  readonly notBefore?: Date;
  /** Default 90 days from now. */
  readonly notAfter?: Date;
  /** RSA modulus length in bits; default 2048. */
  readonly rsaModulusLength?: number;
  /** Reuse this PKCS#8 key instead of generating one (renewal with key reuse); `keyAlgorithm` is then ignored. */
  readonly keyPem?: string;
}

export interface MintChainOptions extends LeafOptions {
  /** Number of intermediate CAs between root and leaf; default 1. */
  readonly intermediates?: number;
  /** Key type of the root and intermediates; default `ecdsa-p256`. */
  readonly caKeyAlgorithm?: CaKeyAlgorithm;
  /** Prefix for CA subject names, to tell chains apart in one test; default `Test`. */
  readonly name?: string;
}

/** A minted leaf: certificate and key, PEM. */
export interface MintedLeaf {
  readonly leafPem: string;
  /** The leaf private key, PKCS#8 PEM. */
  readonly keyPem: string;
  /** Leaf → root, one PEM per certificate. */
  readonly chainPem: readonly string[];
}

export interface MintedChain extends MintedLeaf {
  /** Intermediates, the one that issued the leaf first. */
  readonly intermediatePems: readonly string[];
  readonly rootPem: string;
  /** Issues another leaf from the same last CA (e.g. a renewal with a new key). */
  issueLeaf(options?: LeafOptions): Promise<MintedLeaf>;
}

const DAY = 86_400_000;
const generateKeyPairAsync = promisify(generateKeyPair);

interface CaKey {
  readonly keys: CryptoKeyPair;
  readonly signingAlgorithm: Algorithm;
}

async function caKey(kind: CaKeyAlgorithm, extractable = false): Promise<CaKey> {
  const subtle = webcrypto.subtle;
  const gen = async (alg: Algorithm, signingAlgorithm: Algorithm): Promise<CaKey> => ({
    keys: (await subtle.generateKey(alg, extractable, ['sign', 'verify'])) as CryptoKeyPair,
    signingAlgorithm,
  });
  switch (kind) {
    case 'ecdsa-p256':
      return gen({ name: 'ECDSA', namedCurve: 'P-256' } as Algorithm, { name: 'ECDSA', hash: 'SHA-256' } as Algorithm);
    case 'ecdsa-p384':
      return gen({ name: 'ECDSA', namedCurve: 'P-384' } as Algorithm, { name: 'ECDSA', hash: 'SHA-384' } as Algorithm);
    case 'rsa': {
      const alg = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
      return gen(alg as Algorithm, alg as Algorithm);
    }
    case 'ed25519':
      return gen({ name: 'Ed25519' }, { name: 'Ed25519' });
  }
}

async function leafKey(kind: MintKeyAlgorithm, rsaBits: number): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  switch (kind) {
    case 'rsa':
      return generateKeyPairAsync('rsa', { modulusLength: rsaBits });
    case 'ecdsa-p256':
      return generateKeyPairAsync('ec', { namedCurve: 'P-256' });
    case 'ecdsa-p384':
      return generateKeyPairAsync('ec', { namedCurve: 'P-384' });
    case 'ecdsa-p521':
      return generateKeyPairAsync('ec', { namedCurve: 'P-521' });
    case 'ed25519':
      return generateKeyPairAsync('ed25519');
    case 'ed448':
      return generateKeyPairAsync('ed448');
    case 'dsa':
      return generateKeyPairAsync('dsa', { modulusLength: 2048, divisorLength: 256 });
  }
}

function reuseKey(keyPem: string): { publicKey: KeyObject; privateKey: KeyObject } {
  const privateKey = createPrivateKey(keyPem);
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

function pem(cert: x509.X509Certificate): string {
  return cert.toString('pem').replace(/\r\n/g, '\n').trimEnd() + '\n';
}

async function caCert(subject: string, issuer: { cert: x509.X509Certificate; key: CaKey } | undefined, key: CaKey, notBefore: Date, notAfter: Date): Promise<x509.X509Certificate> {
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(key.keys.publicKey),
  ];
  if (issuer === undefined) {
    return x509.X509CertificateGenerator.createSelfSigned({ name: subject, keys: key.keys, notBefore, notAfter, extensions, signingAlgorithm: key.signingAlgorithm });
  }
  extensions.push(await x509.AuthorityKeyIdentifierExtension.create(issuer.key.keys.publicKey));
  return x509.X509CertificateGenerator.create({
    subject,
    issuer: issuer.cert.subject,
    publicKey: key.keys.publicKey,
    signingKey: issuer.key.keys.privateKey,
    signingAlgorithm: issuer.key.signingAlgorithm,
    notBefore,
    notAfter,
    extensions,
  });
}

async function mintLeaf(issuer: { cert: x509.X509Certificate; key: CaKey }, caPems: readonly string[], options: LeafOptions): Promise<MintedLeaf> {
  const kind = options.keyAlgorithm ?? 'ecdsa-p256';
  const dnsNames = options.dnsNames ?? ['example.test'];
  const { publicKey, privateKey } = options.keyPem === undefined ? await leafKey(kind, options.rsaModulusLength ?? 2048) : reuseKey(options.keyPem);
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  const usage = x509.KeyUsageFlags.digitalSignature | (privateKey.asymmetricKeyType === 'rsa' ? x509.KeyUsageFlags.keyEncipherment : 0);
  const names = [...dnsNames.map((value) => ({ type: 'dns' as const, value })), ...(options.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value }))];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(usage, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    await x509.SubjectKeyIdentifierExtension.create(spki),
    await x509.AuthorityKeyIdentifierExtension.create(issuer.key.keys.publicKey),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${options.commonName ?? dnsNames[0] ?? 'leaf'}`,
    issuer: issuer.cert.subject,
    publicKey: spki,
    signingKey: issuer.key.keys.privateKey,
    signingAlgorithm: issuer.key.signingAlgorithm,
    notBefore: options.notBefore ?? new Date(now - 3_600_000),
    notAfter: options.notAfter ?? new Date(now + 90 * DAY),
    extensions,
  });
  const leafPem = pem(cert);
  return { leafPem, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, chainPem: [leafPem, ...caPems] };
}

/**
 * Mints root → `intermediates` → leaf. CA validity always covers "now" and the leaf's
 * window, so only the leaf's own dates decide whether it is expired or not yet valid.
 */
export async function mintChain(options: MintChainOptions = {}): Promise<MintedChain> {
  const now = Date.now();
  const caFrom = new Date(Math.min(now, options.notBefore?.getTime() ?? now) - DAY);
  const caTo = new Date(Math.max(now, options.notAfter?.getTime() ?? now) + 3650 * DAY);
  const prefix = options.name ?? 'Test';
  const caKind = options.caKeyAlgorithm ?? 'ecdsa-p256';

  const rootKey = await caKey(caKind);
  let issuer = { cert: await caCert(`CN=${prefix} Root CA, O=cert-deployer tests`, undefined, rootKey, caFrom, caTo), key: rootKey };
  const caPems = [pem(issuer.cert)]; // root last
  for (let n = 1; n <= (options.intermediates ?? 1); n++) {
    const key = await caKey(caKind);
    issuer = { cert: await caCert(`CN=${prefix} Intermediate CA ${n}, O=cert-deployer tests`, issuer, key, caFrom, caTo), key };
    caPems.unshift(pem(issuer.cert));
  }
  const last = issuer;
  const leaf = await mintLeaf(last, caPems, options);
  return {
    ...leaf,
    intermediatePems: caPems.slice(0, -1),
    rootPem: caPems[caPems.length - 1] as string,
    issueLeaf: (leafOptions: LeafOptions = {}) => mintLeaf(last, caPems, leafOptions),
  };
}

/** A self-signed leaf (no CA): the shape of `openssl req -x509` and many test Secrets. */
export async function mintSelfSigned(options: Omit<LeafOptions, 'keyAlgorithm'> & { keyAlgorithm?: CaKeyAlgorithm } = {}): Promise<MintedLeaf> {
  const key = await caKey(options.keyAlgorithm ?? 'ecdsa-p256', true);
  const dnsNames = options.dnsNames ?? ['example.test'];
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${options.commonName ?? dnsNames[0] ?? 'self-signed'}`,
    keys: key.keys,
    signingAlgorithm: key.signingAlgorithm,
    notBefore: options.notBefore ?? new Date(now - 3_600_000),
    notAfter: options.notAfter ?? new Date(now + 90 * DAY),
    extensions: [new x509.SubjectAlternativeNameExtension(dnsNames.map((value) => ({ type: 'dns' as const, value })))],
  });
  const leafPem = pem(cert);
  return { leafPem, keyPem: await exportPkcs8(key.keys.privateKey), chainPem: [leafPem] };
}

async function exportPkcs8(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }) as string;
}

/**
 * A CA certificate that copies `caPem`'s subject and subject key identifier but has a fresh
 * key (self-signed). Name and key-id matching alone would take it for the real CA; only a
 * signature check tells them apart. For chain-building tests.
 */
export async function mintImpostor(caPem: string): Promise<string> {
  const real = new x509.X509Certificate(caPem);
  const ski = real.getExtension(x509.SubjectKeyIdentifierExtension);
  if (ski === null) throw new Error('mintImpostor: the CA has no subject key identifier to copy');
  const key = await caKey('ecdsa-p256');
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: real.subject,
    keys: key.keys,
    signingAlgorithm: key.signingAlgorithm,
    notBefore: real.notBefore,
    notAfter: real.notAfter,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.SubjectKeyIdentifierExtension(ski.keyId),
    ],
  });
  return pem(cert);
}

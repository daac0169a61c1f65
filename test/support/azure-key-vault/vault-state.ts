/**
 * The certificate store of the fake Key Vault: what an import leaves behind, checked the way
 * the documented service checks it. The PKCS#12 (or PEM) is read by the real `openssl` CLI,
 * not by the project's own code, so a bundle the connector builds wrong is refused here
 * exactly as Key Vault would refuse it: wrong password, no key, a key that does not match the
 * leaf, or a key type Key Vault does not support (it takes RSA and EC P-256/P-384/P-521/P-256K;
 * no Ed25519).
 */
import { createHash, createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { readPkcs12 } from '../certs/index.ts';

/** One imported version, as the vault keeps it. */
export interface StoredVersion {
  readonly version: string;
  /** Leaf first (Key Vault's default when preserveCertOrder is false), then the rest in file order. */
  readonly chainDer: readonly Buffer[];
  readonly keyPem: string;
  readonly keyProps: { readonly kty: 'RSA' | 'EC'; readonly key_size?: number; readonly crv?: string };
  readonly contentType: 'application/x-pkcs12' | 'application/x-pem-file';
  /** `openssl pkcs12 -info` of an imported PFX (MAC and bag encryption), empty for PEM. */
  readonly pfxInfo: string;
  tags: Record<string, string>;
  enabled: boolean;
  readonly created: number;
}

/** A certificate object: its versions (oldest first) and whether it sits in the deleted state. */
export interface StoredCertificate {
  readonly name: string;
  readonly versions: StoredVersion[];
  deletedOn: number | null;
}

/** A documented import refusal: status 400 with a Key Vault error code and message. */
export class ImportRejected extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

const EC_CURVES: Readonly<Record<string, string>> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521', secp256k1: 'P-256K' };
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const PEM_KEY = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/;

/** What an import request carries, parsed from its JSON body. */
export interface ImportInput {
  readonly value: string;
  readonly pwd: string | undefined;
  readonly contentType: string | undefined;
  readonly tags: Record<string, string> | undefined;
  readonly enabled: boolean | undefined;
}

/** The certificates and key of a PFX or PEM import, or a documented refusal. */
async function materialOf(input: ImportInput): Promise<{ certs: string[]; keyPem: string; contentType: StoredVersion['contentType']; pfxInfo: string }> {
  if (input.contentType === 'application/x-pem-file') {
    const text = input.value;
    const key = PEM_KEY.exec(text)?.[0];
    if (key === undefined) throw new ImportRejected('BadParameter', 'The specified PEM X.509 certificate content is in an unexpected format. Key Vault only accepts PKCS#8 private keys.');
    return { certs: [...text.matchAll(PEM_CERT)].map((m) => m[0]), keyPem: key, contentType: 'application/x-pem-file', pfxInfo: '' };
  }
  let dump;
  try {
    dump = await readPkcs12(Buffer.from(input.value, 'base64'), input.pwd ?? '');
  } catch {
    throw new ImportRejected('BadParameter', 'The specified PKCS#12 X.509 certificate content can not be read. Please check if certificate is in valid PKCS#12 format.');
  }
  const keys = dump.bags.filter((b) => b.kind === 'key');
  if (keys.length !== 1) throw new ImportRejected('BadParameter', `The PKCS#12 content must contain exactly one private key (found ${keys.length}).`);
  return { certs: dump.bags.filter((b) => b.kind === 'certificate').map((b) => b.pem), keyPem: (keys[0] as { pem: string }).pem, contentType: 'application/x-pkcs12', pfxInfo: dump.info };
}

/** Validates and stores an import as a new version of `cert`. */
export async function importVersion(cert: StoredCertificate, input: ImportInput, now: number): Promise<StoredVersion> {
  const { certs, keyPem, contentType, pfxInfo } = await materialOf(input);
  const key = createPrivateKey(keyPem);
  let keyProps: StoredVersion['keyProps'];
  if (key.asymmetricKeyType === 'rsa') keyProps = { kty: 'RSA', key_size: key.asymmetricKeyDetails?.modulusLength ?? 0 };
  else if (key.asymmetricKeyType === 'ec' && EC_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''] !== undefined) {
    keyProps = { kty: 'EC', crv: EC_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''] as string };
  } else throw new ImportRejected('BadParameter', `Unsupported key type ${key.asymmetricKeyType ?? 'unknown'}: Key Vault certificates support RSA and EC keys.`);
  const parsed = certs.map((pem) => new X509Certificate(pem));
  const leafAt = parsed.findIndex((c) => c.checkPrivateKey(key));
  if (leafAt < 0) throw new ImportRejected('BadParameter', 'The private key does not match any certificate in the content.');
  const ordered = [parsed[leafAt] as X509Certificate, ...parsed.filter((_, i) => i !== leafAt)];
  const version: StoredVersion = {
    version: randomBytes(16).toString('hex'),
    chainDer: ordered.map((c) => c.raw),
    keyPem,
    keyProps,
    contentType,
    pfxInfo,
    tags: { ...input.tags },
    enabled: input.enabled ?? true,
    created: now,
  };
  cert.versions.push(version);
  return version;
}

/** `x5t`: base64url SHA-1 of the leaf DER, as Key Vault reports it. */
export function x5tOf(v: StoredVersion): string {
  return createHash('sha1').update(v.chainDer[0] as Buffer).digest('base64url');
}

/** The latest version (Key Vault's "current"), if any. */
export function latest(cert: StoredCertificate): StoredVersion | undefined {
  return cert.versions.at(-1);
}

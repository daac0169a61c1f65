/**
 * PKCS#12 (`.p12` / `.pfx`): the bundle Windows/IIS, Azure Key Vault, F5 and Java keystores
 * import. One file holds the leaf with its key and the whole chain, protected by a password.
 *
 * Two protection profiles, because the targets split along Windows versions:
 * - `aes256` (default) — the OpenSSL 3 default profile: key in PBES2 (PBKDF2-HMAC-SHA256,
 *   AES-256-CBC), MAC HMAC-SHA256. Verified here against OpenSSL 3; per the vendors' notes
 *   (not testable here) also read by Java 8u301+/11.0.12+, Windows 10 1709+ / Server 2019+
 *   and Azure Key Vault.
 * - `legacy3des` — key in `pbeWithSHAAnd3-KeyTripleDES-CBC`, MAC HMAC-SHA1: the only profile
 *   Windows Server 2016 and older import. 3DES is still in OpenSSL 3's default provider, so
 *   `openssl pkcs12` reads it with or without `-legacy`.
 * Both work for every key type the Deployment allows (RSA, ECDSA P-256/P-384, Ed25519; see
 * `pkcs12-asn1.ts` for why node-forge's own builder is not used). Note that Windows' CNG
 * cannot import Ed25519 at all: that limit is the target's, not the file's.
 *
 * Passwords: the PKCS#12 KDF (MAC, 3DES) takes the password as UTF-16BE (astral characters as
 * surrogate pairs), PBES2 takes its UTF-8 bytes — exactly how OpenSSL 3 treats a UTF-8
 * `-passin`, so any well-formed Unicode password round-trips (checked against `openssl pkcs12`).
 * An empty password is allowed (Azure Key Vault's "password-less" PFX) and still encrypts.
 */
import { Buffer } from 'node:buffer';
import { createHash, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { SecretBytes, type Deployment } from '../deployment.ts';
import { FormatError, FormatErrorReason } from './errors.ts';
import { loadBundle, withoutRoot } from './material.ts';
import { bagAttributes, certBag, dataContentInfo, encodePfx, shroudedKeyBag, toBinary } from './pkcs12-asn1.ts';

/** How the key and the file's integrity are protected. */
export const Pkcs12Encryption = {
  /** PBES2 / PBKDF2-HMAC-SHA256 / AES-256-CBC, MAC HMAC-SHA256 (OpenSSL 3 default). */
  Aes256: 'aes256',
  /** pbeWithSHAAnd3-KeyTripleDES-CBC, MAC HMAC-SHA1 (Windows Server 2016 and older). */
  Legacy3Des: 'legacy3des',
} as const;
export type Pkcs12Encryption = (typeof Pkcs12Encryption)[keyof typeof Pkcs12Encryption];

/** OpenSSL's `PKCS12_DEFAULT_ITER`: what every reader is tuned for. */
export const PKCS12_DEFAULT_ITERATIONS = 2048;
/**
 * Upper bound on `iterations`. The KDFs run in node-forge's JavaScript on the calling thread:
 * measured on the 2-core dev machine, 2048 iterations take ~12–21 ms per file and 100,000
 * take ~0.7–1.2 s, which is already a long event-loop stall for an operator.
 */
export const PKCS12_MAX_ITERATIONS = 100_000;
const MAX_FRIENDLY_NAME = 256;

export interface Pkcs12Options {
  /** Protects the key and keys the MAC. May be empty; must not contain NUL. */
  readonly password: string;
  /** Shown by Windows as the certificate's friendly name, used by Java as the alias. BMP characters only. */
  readonly friendlyName?: string;
  /** Default `aes256`. */
  readonly encryption?: Pkcs12Encryption;
  /** Keep a self-signed root at the end of the chain. Default true: the whole chain is included. */
  readonly includeRoot?: boolean;
  /** KDF iterations for the key and the MAC; default 2048, at most 100,000 (`PKCS12_MAX_ITERATIONS`). */
  readonly iterations?: number;
}

const ENCRYPTIONS: ReadonlySet<string> = new Set(Object.values(Pkcs12Encryption));

function invalid(message: string): FormatError {
  return new FormatError(FormatErrorReason.InvalidOption, message);
}

interface CheckedOptions {
  readonly password: string;
  readonly friendlyName: string | undefined;
  readonly encryption: Pkcs12Encryption;
  readonly includeRoot: boolean;
  readonly iterations: number;
}

/** Validates options without ever echoing the password. */
function checkOptions(options: Pkcs12Options): CheckedOptions {
  if (typeof options !== 'object' || options === null) throw invalid('options with a password are required');
  const { password, friendlyName, encryption = Pkcs12Encryption.Aes256, includeRoot = true, iterations = PKCS12_DEFAULT_ITERATIONS } = options;
  if (typeof password !== 'string') throw invalid('password must be a string (use "" for a password-less file)');
  if (password.includes('\0')) throw invalid('password must not contain NUL characters');
  if (!password.isWellFormed()) throw invalid('password must be well-formed Unicode (it contains a lone surrogate)');
  if (friendlyName !== undefined) {
    if (typeof friendlyName !== 'string' || friendlyName.length === 0 || friendlyName.length > MAX_FRIENDLY_NAME) {
      throw invalid(`friendlyName must be a non-empty string of at most ${MAX_FRIENDLY_NAME} characters`);
    }
    if (/[\uD800-\uDFFF\0]/.test(friendlyName)) throw invalid('friendlyName must contain only Basic Multilingual Plane characters and no NUL (it is a BMPString)');
  }
  if (!ENCRYPTIONS.has(encryption)) throw invalid(`encryption must be one of ${[...ENCRYPTIONS].join(', ')}`);
  if (typeof includeRoot !== 'boolean') throw invalid('includeRoot must be a boolean');
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > PKCS12_MAX_ITERATIONS) {
    throw invalid(`iterations must be an integer from 1 to ${PKCS12_MAX_ITERATIONS}`);
  }
  return { password, friendlyName, encryption, includeRoot, iterations };
}

/** The key's PKCS#8 DER, encrypted as an `EncryptedPrivateKeyInfo` for a shrouded key bag. */
function encryptKey(pkcs8Der: Uint8Array, opts: CheckedOptions): forge.asn1.Asn1 {
  const privateKeyInfo = forge.asn1.fromDer(toBinary(pkcs8Der));
  if (opts.encryption === Pkcs12Encryption.Aes256) {
    const utf8 = Buffer.from(opts.password, 'utf8').toString('latin1');
    return forge.pki.encryptPrivateKeyInfo(privateKeyInfo, utf8, { algorithm: 'aes256', prfAlgorithm: 'sha256', count: opts.iterations, saltSize: 16 });
  }
  return forge.pki.encryptPrivateKeyInfo(privateKeyInfo, opts.password, { algorithm: '3des', count: opts.iterations, saltSize: 8 });
}

/**
 * The Deployment as a password-protected PKCS#12 file: leaf (with `localKeyID` = its SHA-1
 * thumbprint, and `friendlyName`), every chain certificate leaf-issuer-first, and the key.
 * Returned as `SecretBytes`; use `revealBase64()` for APIs that take base64.
 */
export function toPkcs12(dep: Deployment, options: Pkcs12Options): SecretBytes {
  const opts = checkOptions(options);
  const { leaf, issuers, key } = loadBundle(dep);
  const chain = opts.includeRoot ? issuers : withoutRoot(issuers);
  const localKeyId = createHash('sha1').update(leaf.raw).digest();

  const certificates = dataContentInfo([certBag(leaf.raw, bagAttributes(localKeyId, opts.friendlyName)), ...chain.map((cert) => certBag(cert.raw))]);
  const pkcs8Der = key.export({ type: 'pkcs8', format: 'der' });
  let keyContent: forge.asn1.Asn1;
  try {
    keyContent = dataContentInfo([shroudedKeyBag(encryptKey(pkcs8Der, opts), bagAttributes(localKeyId, opts.friendlyName))]);
  } finally {
    pkcs8Der.fill(0);
  }
  const legacy = opts.encryption === Pkcs12Encryption.Legacy3Des;
  const pfx = encodePfx([certificates, keyContent], {
    password: opts.password,
    digest: legacy ? 'sha1' : 'sha256',
    salt: randomBytes(legacy ? 8 : 16),
    iterations: opts.iterations,
  });
  const secret = new SecretBytes(pfx);
  pfx.fill(0);
  return secret;
}

/**
 * Private key decoding and the key-type policy. Secrets carry keys in three containers
 * (PKCS#8 from cert-manager and modern OpenSSL, PKCS#1 from `openssl genrsa` and older tools,
 * SEC1 from `openssl ecparam -genkey`, often preceded by an `EC PARAMETERS` block); all are
 * accepted and the caller normalises to PKCS#8.
 *
 * Key-type policy (decided here, documented once): the accepted algorithms are exactly the
 * `KeyAlgorithm` union of the Deployment contract — RSA, ECDSA P-256, ECDSA P-384, Ed25519.
 * Rejected as `UnsupportedKeyType`:
 * - DSA: removed from TLS 1.3 and refused by current browsers and cloud certificate stores.
 * - ECDSA P-521 and other curves (secp256k1, brainpool, explicit parameters): P-521 is not
 *   offered by Chrome/BoringSSL and several appliances and cloud stores refuse it, so a Secret
 *   holding one would "deploy" and then fail handshakes.
 * - Ed448, RSASSA-PSS-only keys (`rsa-pss`): no mainstream TLS terminator loads them.
 * - X25519/X448/DH: key-agreement keys cannot sign a TLS handshake at all.
 * Encrypted keys are rejected (`EncryptedKey`): the operator has no passphrase to use, and
 * guessing one would be worse than failing clearly.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { KeyAlgorithm } from '../deployment.ts';
import { InvalidCertificateError, InvalidCertificateReason } from './errors.ts';
import type { PemBlock } from './pem.ts';

/** A decoded private key and its algorithm under the project's key-type policy. */
export interface ParsedPrivateKey {
  readonly key: KeyObject;
  readonly algorithm: KeyAlgorithm;
}

const FIELD = 'tls.key';

/** PEM labels that hold a usable private key, with the DER container Node should decode. */
const CONTAINERS: Readonly<Record<string, { type: 'pkcs8' | 'pkcs1' | 'sec1'; name: string; keyType?: string }>> = {
  'PRIVATE KEY': { type: 'pkcs8', name: 'PKCS#8' },
  'RSA PRIVATE KEY': { type: 'pkcs1', name: 'PKCS#1 RSA', keyType: 'rsa' },
  'EC PRIVATE KEY': { type: 'sec1', name: 'SEC1 EC', keyType: 'ec' },
};

/** Blocks that may accompany a key and carry nothing secret or needed. */
const IGNORED_IN_KEY_FIELD = new Set(['EC PARAMETERS']);

function fail(reason: InvalidCertificateReason, message: string): InvalidCertificateError {
  return new InvalidCertificateError(reason, `${FIELD}: ${message}`, FIELD);
}

function isKeyBlock(block: PemBlock): boolean {
  return block.label.includes('PRIVATE KEY');
}

/**
 * Maps a decoded key to a `KeyAlgorithm`, or explains why the policy above rejects it.
 * Exported so the decision is testable on its own and reusable (e.g. for CSR checks).
 */
export function classifyKey(key: KeyObject): KeyAlgorithm | { rejected: string } {
  const type = key.asymmetricKeyType;
  switch (type) {
    case 'rsa':
      return 'rsa';
    case 'ed25519':
      return 'ed25519';
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'prime256v1') return 'ecdsa-p256';
      if (curve === 'secp384r1') return 'ecdsa-p384';
      return { rejected: `ECDSA curve ${curve ?? '(explicit parameters)'} is not supported; use P-256 or P-384` };
    }
    case 'dsa':
      return { rejected: 'DSA keys are not supported (removed from TLS 1.3); use ECDSA P-256, P-384, RSA or Ed25519' };
    case 'ed448':
      return { rejected: 'Ed448 keys are not supported by mainstream TLS servers; use Ed25519, ECDSA or RSA' };
    case 'rsa-pss':
      return { rejected: 'RSASSA-PSS-only (rsa-pss) keys are not supported; use a plain RSA key' };
    default:
      return { rejected: `${type ?? 'unknown'} keys cannot sign TLS handshakes; use ECDSA P-256, P-384, RSA or Ed25519` };
  }
}

/**
 * Picks the single private key out of the `tls.key` blocks, decodes it and applies the
 * key-type policy. Never puts key bytes, or decoder messages that might echo them, in errors.
 */
export function parsePrivateKey(blocks: readonly PemBlock[]): ParsedPrivateKey {
  const keyBlocks = blocks.filter(isKeyBlock);
  if (keyBlocks.length === 0) {
    const labels = blocks.filter((b) => !IGNORED_IN_KEY_FIELD.has(b.label)).map((b) => b.label);
    const held = labels.length === 0 ? '' : ` (it holds ${[...new Set(labels)].join(', ')} blocks)`;
    const hint = labels.includes('CERTIFICATE') ? '; are tls.crt and tls.key swapped?' : '';
    throw fail(InvalidCertificateReason.MissingKey, `no private key block found${held}${hint}`);
  }
  if (keyBlocks.length > 1) {
    const lines = keyBlocks.map((b) => b.line).join(', ');
    throw fail(InvalidCertificateReason.MultipleKeys, `${keyBlocks.length} private key blocks found (lines ${lines}); a Secret must hold exactly one`);
  }
  const block = keyBlocks[0] as PemBlock;
  const at = `the ${block.label} block at line ${block.line}`;

  if (block.label === 'ENCRYPTED PRIVATE KEY' || /ENCRYPTED/i.test(block.headers.get('proc-type') ?? '')) {
    throw fail(InvalidCertificateReason.EncryptedKey, `${at} is passphrase-protected; store the key unencrypted in the Secret (the Secret itself is the protection)`);
  }
  if (block.label === 'DSA PRIVATE KEY') {
    throw fail(InvalidCertificateReason.UnsupportedKeyType, `${at}: DSA keys are not supported (removed from TLS 1.3)`);
  }
  const container = CONTAINERS[block.label];
  if (container === undefined) {
    throw fail(InvalidCertificateReason.UnsupportedKeyFormat, `${at} is not a supported key format; use PKCS#8 (BEGIN PRIVATE KEY), PKCS#1 (BEGIN RSA PRIVATE KEY) or SEC1 (BEGIN EC PRIVATE KEY)`);
  }

  let key: KeyObject;
  try {
    key = createPrivateKey({ key: block.der, format: 'der', type: container.type });
  } catch {
    // The decoder's message is deliberately dropped: OpenSSL error text is safe today, but
    // nothing guarantees a future decoder will not quote the offending bytes.
    throw fail(InvalidCertificateReason.Malformed, `${at} is not a valid ${container.name} private key`);
  }
  // OpenSSL 3 treats the container type as a hint and decodes whatever it finds, so a label
  // that lies about the algorithm (an EC key under `RSA PRIVATE KEY`) would pass silently.
  if (container.keyType !== undefined && key.asymmetricKeyType !== container.keyType) {
    throw fail(InvalidCertificateReason.Malformed, `${at} holds a ${key.asymmetricKeyType ?? 'unknown'} key, not a ${container.name} private key`);
  }
  const algorithm = classifyKey(key);
  if (typeof algorithm !== 'string') throw fail(InvalidCertificateReason.UnsupportedKeyType, `${at}: ${algorithm.rejected}`);
  return { key, algorithm };
}

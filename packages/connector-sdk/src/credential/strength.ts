/**
 * Cryptographic strength of a credential that parses and is otherwise valid: RSA keys under
 * 2048 bits or with a public exponent under 65537 (NIST SP 800-131A / FIPS 186-5), and
 * certificates signed with SHA-1 or MD5 (collisions are practical; browsers refuse them).
 * ECDSA curves other than P-256/P-384 and key types other than RSA, ECDSA and Ed25519 are not
 * judged here: the key-type policy (private-key.ts) refuses them always, because targets
 * refuse them and a deploy would only fail later.
 *
 * Weak is not invalid: a CA issued the certificate and a target will load it. What to do is
 * policy, decided by the caller (`WeakCredentialPolicy`): `Warn` deploys and reports, `Refuse`
 * throws the finding's reason (`WeakKey`, `WeakSignature`). Pure: no I/O, no clock.
 */
import type { KeyObject, X509Certificate } from 'node:crypto';
import { describeSubject } from './certificate-facts.ts';
import { isSelfSigned } from './chain-order.ts';
import { InvalidCertificateError, InvalidCertificateReason } from './errors.ts';

/** What to do with a weak credential: deploy and report it (default), or refuse it. */
export const WeakCredentialPolicy = { Warn: 'Warn', Refuse: 'Refuse' } as const;
export type WeakCredentialPolicy = (typeof WeakCredentialPolicy)[keyof typeof WeakCredentialPolicy];

/** Smallest RSA modulus accepted without a finding (bits). */
export const MIN_RSA_BITS = 2048;
/** Smallest RSA public exponent accepted without a finding (FIPS 186-5). */
export const MIN_RSA_EXPONENT = 65537n;

/** One weakness: a stable reason (the same the `Refuse` policy throws) and a message without key material. */
export interface Weakness {
  readonly reason: typeof InvalidCertificateReason.WeakKey | typeof InvalidCertificateReason.WeakSignature;
  readonly message: string;
}

/** Signature algorithms whose hash has practical collisions (OpenSSL long names, lower-cased). */
const WEAK_SIGNATURE = /^(sha1|md5|md4|md2)|with(sha1|md5|md4|md2)|^dsawithsha1|^ecdsa-with-sha1/i;

function rsaFinding(key: KeyObject, what: string): Weakness | undefined {
  if (key.asymmetricKeyType !== 'rsa') return undefined;
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  const exponent = key.asymmetricKeyDetails?.publicExponent ?? 0n;
  if (bits < MIN_RSA_BITS) return { reason: InvalidCertificateReason.WeakKey, message: `${what} is RSA ${bits} bits, under ${MIN_RSA_BITS}` };
  if (exponent < MIN_RSA_EXPONENT) return { reason: InvalidCertificateReason.WeakKey, message: `${what} has RSA public exponent ${exponent}, under ${MIN_RSA_EXPONENT}` };
  return undefined;
}

/**
 * The weaknesses of a parsed credential: the leaf's key, and each certificate of the ordered
 * `chain` (leaf first). A self-signed root's own signature is not judged (clients trust the
 * root by its key, never check that signature), but its key is.
 */
export function assessStrength(leafKey: KeyObject, chain: readonly X509Certificate[]): Weakness[] {
  const findings: Weakness[] = [];
  const leafFinding = rsaFinding(leafKey, 'the private key');
  if (leafFinding) findings.push(leafFinding);
  chain.forEach((cert, i) => {
    const what = i === 0 ? `the certificate "${describeSubject(cert)}"` : `the chain certificate "${describeSubject(cert)}"`;
    if (i > 0) {
      const keyFinding = rsaFinding(cert.publicKey, `${what}'s key`);
      if (keyFinding) findings.push(keyFinding);
    }
    const alg = cert.signatureAlgorithm ?? '';
    if (WEAK_SIGNATURE.test(alg) && !(i > 0 && isSelfSigned(cert))) {
      findings.push({ reason: InvalidCertificateReason.WeakSignature, message: `${what} is signed with ${alg}` });
    }
  });
  return findings;
}

/** Under `Refuse`, throws the first finding as an `InvalidCertificateError`; under `Warn`, returns them. */
export function applyStrengthPolicy(findings: readonly Weakness[], policy: WeakCredentialPolicy): readonly Weakness[] {
  const first = findings[0];
  if (policy === WeakCredentialPolicy.Refuse && first !== undefined) {
    const more = findings.length > 1 ? `; also: ${findings.slice(1).map((f) => f.message).join('; ')}` : '';
    throw new InvalidCertificateError(first.reason, `${first.message}${more} (refused by --weak-credentials=Refuse)`, 'tls.crt');
  }
  return findings;
}

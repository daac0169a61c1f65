/**
 * The one error the credential model throws. A bad Secret is a user data problem: it is
 * terminal until the Secret changes, so it is never retryable. Callers (the controller's
 * `SecretInvalid` condition, Events, metrics) switch on the stable `reason`, never on the
 * message text, which is written for humans and may improve over time.
 *
 * Messages name the Secret field, the certificate subject and dates where that helps the
 * user fix the Secret. They never quote the input: a private key pasted into the wrong
 * field must not end up in a log line.
 */
import { CertDeployerError, ErrorCode, hasCode } from '../core/errors.ts';

/**
 * Stable reasons for `CD_ERR_INVALID_CERTIFICATE`. Never rename one: users match on them in
 * alerts, and the controller copies them into status conditions.
 */
export const InvalidCertificateReason = {
  /** A field is present but holds no bytes (or only whitespace). */
  Empty: 'Empty',
  /** A field holds no `-----BEGIN …-----` block, or a block is unterminated or not base64. */
  NotPem: 'NotPem',
  /** A PEM block decodes but its content is not a valid certificate or key structure. */
  Malformed: 'Malformed',
  /** `tls.key` is missing from the Secret, or holds no private-key block. */
  MissingKey: 'MissingKey',
  /** `tls.crt` is missing from the Secret, or holds no certificate block. */
  MissingCertificate: 'MissingCertificate',
  /** `tls.key` holds more than one private key: which one is meant is ambiguous. */
  MultipleKeys: 'MultipleKeys',
  /** No certificate in `tls.crt` carries the public key of `tls.key`. */
  KeyMismatch: 'KeyMismatch',
  /** The key is passphrase-protected (PKCS#8 `ENCRYPTED PRIVATE KEY` or legacy `Proc-Type: 4,ENCRYPTED`). */
  EncryptedKey: 'EncryptedKey',
  /** The key's algorithm or curve is not one targets reliably accept (see `KeyAlgorithm`). */
  UnsupportedKeyType: 'UnsupportedKeyType',
  /** The key is in a container format other than PKCS#8, PKCS#1 or SEC1 (e.g. OpenSSH). */
  UnsupportedKeyFormat: 'UnsupportedKeyFormat',
  /** The leaf certificate's notAfter is before the injected clock's now. */
  Expired: 'Expired',
  /** The leaf certificate's notBefore is after the injected clock's now. */
  NotYetValid: 'NotYetValid',
  /** A field is larger than the size limit (default 1 MiB), checked before any parsing. */
  Oversize: 'Oversize',
  /** `tls.crt` and `ca.crt` together hold more certificate blocks than the limit (default 32), duplicates counted. */
  ChainTooLong: 'ChainTooLong',
  /** `tls.crt` and `ca.crt` together are larger than the chain size limit (default 64 KiB). */
  ChainTooLarge: 'ChainTooLarge',
  /** Refused by the `Refuse` strength policy: an RSA key under 2048 bits or a public exponent under 65537. */
  WeakKey: 'WeakKey',
  /** Refused by the `Refuse` strength policy: the leaf or an intermediate is signed with SHA-1 or MD5. */
  WeakSignature: 'WeakSignature',
} as const;
export type InvalidCertificateReason = (typeof InvalidCertificateReason)[keyof typeof InvalidCertificateReason];

/** The Secret data keys the credential model reads. */
export type TlsSecretField = 'tls.crt' | 'tls.key' | 'ca.crt';

/**
 * Thrown for any Secret that cannot become a `Deployment`. `field` says which Secret key was
 * at fault when a single one was; `KeyMismatch` and chain-level problems involve both.
 */
export class InvalidCertificateError extends CertDeployerError {
  readonly reason: InvalidCertificateReason;
  readonly field: TlsSecretField | undefined;

  constructor(reason: InvalidCertificateReason, message: string, field?: TlsSecretField) {
    super(ErrorCode.InvalidCertificate, `invalid certificate (${reason}): ${message}`, { retryable: false });
    this.name = 'InvalidCertificateError';
    this.reason = reason;
    this.field = field;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasCode(value, ErrorCode.InvalidCertificate);
  }
}

/** True when `err` is an InvalidCertificateError, optionally with a given `reason`. */
export function isInvalidCertificate(err: unknown, reason?: InvalidCertificateReason): err is InvalidCertificateError {
  return err instanceof InvalidCertificateError && (reason === undefined || err.reason === reason);
}

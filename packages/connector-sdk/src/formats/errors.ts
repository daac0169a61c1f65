/**
 * The one error the format helpers throw. A format conversion fails only when the request
 * cannot be met for this credential (PKCS#1 for an EC key), when an option is wrong, or when a
 * hand-built `Deployment` is inconsistent — none of which a retry fixes, so it is terminal.
 *
 * It is a `ConnectorError` (code `CD_ERR_CONNECTOR`) so a connector can let it propagate and
 * the controller reports it like any other terminal deploy failure; callers that need to tell
 * format problems apart switch on the stable `reason`. Messages name the option or the
 * Deployment field at fault and never quote the input: key material and passwords stay out.
 */
import { ConnectorError } from '../connector-error.ts';

const FORMAT_BRAND = Symbol.for('certdeployer.formatError');

/**
 * Stable reasons for `FormatError`. Never rename one: connectors copy them into status
 * conditions and users match on them in alerts.
 */
export const FormatErrorReason = {
  /** The requested encoding does not exist for this key type (PKCS#1 for EC, SEC1 for RSA, …). */
  UnsupportedKeyType: 'UnsupportedKeyType',
  /** An option is missing, of the wrong type, or out of range. */
  InvalidOption: 'InvalidOption',
  /** A Deployment field does not hold what the contract says (not PEM, not a certificate, not a key). */
  MalformedDeployment: 'MalformedDeployment',
  /** The Deployment's private key does not belong to its leaf certificate. */
  KeyMismatch: 'KeyMismatch',
} as const;
export type FormatErrorReason = (typeof FormatErrorReason)[keyof typeof FormatErrorReason];

/** Thrown by every helper in `formats/` for input it cannot turn into the requested format. */
export class FormatError extends ConnectorError {
  readonly reason: FormatErrorReason;
  readonly [FORMAT_BRAND] = true;

  constructor(reason: FormatErrorReason, message: string) {
    super(`format (${reason}): ${message}`, { retryable: false });
    this.name = 'FormatError';
    this.reason = reason;
  }

  /** Brand check, so `instanceof` works across duplicate copies of the package and never matches other CertDeployerErrors. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[FORMAT_BRAND] === true;
  }
}

/** True when `err` is a FormatError, optionally with a given `reason`. */
export function isFormatError(err: unknown, reason?: FormatErrorReason): err is FormatError {
  return err instanceof FormatError && (reason === undefined || err.reason === reason);
}

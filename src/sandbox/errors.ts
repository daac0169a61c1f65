/**
 * Branded error classes with stable codes (the undici model). `instanceof` works across
 * duplicate copies of this package because the check looks for a global-registry symbol,
 * not for a class identity; callers may also switch on `err.code`.
 */

const BRAND = Symbol.for('certdeployer.error');

/** Stable codes. Never rename one: users match on them in logs and alerts. */
export const ErrorCode = {
  Denied: 'CD_ERR_DENIED',
  InvalidCertificate: 'CD_ERR_INVALID_CERTIFICATE',
  Exec: 'CD_ERR_EXEC',
  Timeout: 'CD_ERR_TIMEOUT',
  Unreachable: 'CD_ERR_UNREACHABLE',
  HostKeyMismatch: 'CD_ERR_HOST_KEY_MISMATCH',
  Connector: 'CD_ERR_CONNECTOR',
  /** A Kubernetes API request failed; `statusCode` on the error says how. */
  KubeApi: 'CD_ERR_KUBE_API',
  /** This replica stopped being the leader; all leader-only work must stop. */
  LeadershipLost: 'CD_ERR_LEADERSHIP_LOST',
  /** An optimistic-concurrency write kept conflicting after every allowed retry. */
  Conflict: 'CD_ERR_CONFLICT',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base of every error this project throws on purpose. `retryable` drives backoff decisions. */
export class CertDeployerError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly [BRAND] = true;

  constructor(code: ErrorCode, message: string, opts: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'CertDeployerError';
    this.code = code;
    this.retryable = opts.retryable ?? false;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** True when `err` is any CertDeployerError carrying `code`, whichever copy of the package made it. */
export function hasCode(err: unknown, code: ErrorCode): err is CertDeployerError {
  return err instanceof CertDeployerError && err.code === code;
}

/**
 * ErrDenied: the operation is outside the effective grant. Terminal until the spec or the
 * operator policy changes, so never retryable.
 */
export class DeniedError extends CertDeployerError {
  readonly capability: 'file.read' | 'file.write' | 'net.dial' | 'exec';
  readonly subject: string;
  constructor(capability: DeniedError['capability'], subject: string, why: string) {
    super(ErrorCode.Denied, `denied: ${capability} ${JSON.stringify(subject)}: ${why}`, { retryable: false });
    this.name = 'DeniedError';
    this.capability = capability;
    this.subject = subject;
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasCode(value, ErrorCode.Denied);
  }
}

/** Shorthand used by callers that only need the predicate. */
export function isDenied(err: unknown): err is DeniedError {
  return hasCode(err, ErrorCode.Denied);
}

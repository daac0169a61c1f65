/**
 * ErrDenied, the sandbox's own error: an operation outside the effective grant. The base class
 * and the stable codes live in `../core/errors.ts` (the project's one error base); they are
 * re-exported here because `@cert-deployer/connector-sdk/sandbox` is what the controller imports.
 */
import { CertDeployerError, ErrorCode, hasCode } from '../core/errors.ts';

export { CertDeployerError, ErrorCode, hasCode };

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

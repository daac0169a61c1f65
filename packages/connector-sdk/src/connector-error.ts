/**
 * The error a connector throws when the target refused or failed a deploy. `retryable`
 * separates "try again later" (unreachable, throttled, 5xx, timeout) from terminal failures
 * (auth, invalid config, the server rejected the files), which the controller only retries
 * on a change or a slow timer. Messages pass through `redactSecrets` first.
 */
import { CertDeployerError, ErrorCode, hasCode } from './core/errors.ts';
import { redactSecrets } from './redact.ts';

export class ConnectorError extends CertDeployerError {
  constructor(message: string, opts: { retryable?: boolean; cause?: unknown } = {}) {
    super(ErrorCode.Connector, redactSecrets(message), opts);
    this.name = 'ConnectorError';
  }
  /** By code, like every branded error: other project errors are not ConnectorErrors. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasCode(value, ErrorCode.Connector);
  }
}

/** Terminal: retrying without a change cannot help. */
export function terminal(message: string, cause?: unknown): ConnectorError {
  return new ConnectorError(message, { retryable: false, cause });
}

/** Retryable: the target may accept the same request later. */
export function retryable(message: string, cause?: unknown): ConnectorError {
  return new ConnectorError(message, { retryable: true, cause });
}

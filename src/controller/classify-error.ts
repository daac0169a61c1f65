/**
 * Maps whatever a connector or the sandbox threw to a status reason and a safe message. The
 * message is redacted: an error may quote server output, and server output may quote a key.
 */
import { redactSecrets } from '../core/redact.ts';
import { CertDeployerError, isDenied } from '@cert-deployer/connector-sdk/sandbox';
import { Reason } from './reasons.ts';

export interface ClassifiedError {
  readonly reason: Reason;
  readonly message: string;
  readonly retryable: boolean;
}

/** Classifies an error thrown by a deploy; `timedOut` marks our own deploy deadline. */
export function classifyDeployError(err: unknown, timedOut: boolean): ClassifiedError {
  const text = redactSecrets(err instanceof Error ? err.message : String(err));
  if (timedOut) return { reason: Reason.TargetUnavailable, message: `deploy timed out: ${text}`, retryable: true };
  if (isDenied(err)) return { reason: Reason.GrantDenied, message: text, retryable: false };
  if (err instanceof CertDeployerError) {
    return err.retryable
      ? { reason: Reason.TargetUnavailable, message: text, retryable: true }
      : { reason: Reason.DeployFailed, message: text, retryable: false };
  }
  // Unknown failures (a bug, an unexpected network error): retry with backoff, never crash.
  return { reason: Reason.TargetUnavailable, message: text, retryable: true };
}

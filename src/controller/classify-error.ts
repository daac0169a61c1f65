/**
 * Maps whatever a connector or the sandbox threw to a status reason and a safe message. The
 * message is redacted: an error may quote server output, and server output may quote a key.
 */
import { redactSecrets } from '../core/redact.ts';
import { CertDeployerError, ErrorCode, isDenied } from '@cert-deployer/connector-sdk/sandbox';
import { Reason } from './reasons.ts';

export interface ClassifiedError {
  readonly reason: Reason;
  readonly message: string;
  readonly retryable: boolean;
}

/**
 * Failures of the confined runtime (not of the target): the message leads with the stable code,
 * so an alert or a `kubectl get` tells "the connector tried to open a socket" from "its worker
 * ran out of memory" without parsing prose.
 */
const RUNTIME_CODES: ReadonlySet<string> = new Set([ErrorCode.Confined, ErrorCode.WorkerCrashed, ErrorCode.WorkerMemory, ErrorCode.WorkerTimeout, ErrorCode.WorkerProtocol]);

/** Classifies an error thrown by a deploy; `timedOut` marks our own deploy deadline. */
export function classifyDeployError(err: unknown, timedOut: boolean): ClassifiedError {
  const said = redactSecrets(err instanceof Error ? err.message : String(err));
  const text = err instanceof CertDeployerError && RUNTIME_CODES.has(err.code) ? `${err.code}: ${said}` : said;
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

/**
 * One way to ask "what did the API server say?" of any error the runtime meets: client-node's
 * generated-API `ApiException` (`code`), its `Watch` (`statusCode`), a watch `ERROR` event
 * carrying a `Status`, or our own {@link KubeApiError}. Callers branch on status codes
 * (409 conflict, 404 not found, 410 gone), never on message text.
 */
import { CertDeployerError, ErrorCode, hasCode } from '@cert-deployer/connector-sdk/sandbox';

/** The parts of a `meta.k8s.io/v1 Status` the runtime reads. */
export interface KubeStatus {
  kind?: string;
  code?: number;
  reason?: string;
  message?: string;
}

/**
 * A failed Kubernetes API call, with the HTTP status and the Status `reason`
 * (`Conflict`, `Expired`, `NotFound`, ...). Retryable for throttling, server errors and
 * transport failures (status 0); a caller decides about conflicts itself.
 */
export class KubeApiError extends CertDeployerError {
  readonly statusCode: number;
  readonly reason: string;

  constructor(statusCode: number, reason: string, message: string, cause?: unknown) {
    super(ErrorCode.KubeApi, message, { retryable: statusCode === 0 || statusCode === 429 || statusCode >= 500, cause });
    this.name = 'KubeApiError';
    this.statusCode = statusCode;
    this.reason = reason;
  }

  /** Builds the error from a Status object (watch `ERROR` event or response body). */
  static fromStatus(status: KubeStatus, context: string): KubeApiError {
    const code = typeof status.code === 'number' ? status.code : 0;
    return new KubeApiError(code, status.reason ?? '', `${context}: ${status.message ?? `status ${code}`}`);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasCode(value, ErrorCode.KubeApi);
  }
}

function numberField(obj: object, field: string): number | undefined {
  const v = (obj as Record<string, unknown>)[field];
  return typeof v === 'number' ? v : undefined;
}

/** The HTTP status an error carries, or undefined for errors that never reached the server. */
export function statusCodeOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  if (err instanceof KubeApiError) return err.statusCode === 0 ? undefined : err.statusCode;
  // ApiException (generated APIs) uses `code`; Watch uses `statusCode`; a raw Status has `code`.
  return numberField(err, 'statusCode') ?? numberField(err, 'code');
}

/** 409: optimistic-concurrency conflict or AlreadyExists — someone else wrote first. */
export function isConflict(err: unknown): boolean {
  return statusCodeOf(err) === 409;
}

/** 404: the object (or its namespace) does not exist. */
export function isNotFound(err: unknown): boolean {
  return statusCodeOf(err) === 404;
}

/** 410: the resourceVersion is too old to watch from; the only cure is a fresh list. */
export function isGone(err: unknown): boolean {
  return statusCodeOf(err) === 410;
}

/** The thrown value as an Error, so callbacks and logs always get `message` and `stack`. */
export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(typeof err === 'string' ? err : JSON.stringify(err));
}

/**
 * Classifies what the AWS SDK throws into the connector contract's two kinds. Terminal:
 * retrying without a change cannot help (authentication, permission, invalid input, the import
 * quota). Retryable: the same request may succeed later (throttling, 5xx, a certificate still in
 * use, a request still in progress). Sandbox errors (denied, unreachable, timeout) pass through
 * unchanged: they already carry a stable code and the right `retryable`.
 *
 * The SDK error is never attached as a `cause`: it holds the raw HTTP response, and loggers
 * print causes.
 */
import { CertDeployerError, retryable, terminal } from '@cert-deployer/connector-sdk';

/** Error names (the `__type` of AWS JSON errors) the target may accept later. */
export const RETRYABLE_ERRORS: ReadonlySet<string> = new Set([
  'ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded', 'RequestThrottled',
  'RequestThrottledException', 'ProvisionedThroughputExceededException', 'SlowDown', 'BandwidthLimitExceeded',
  'RequestInProgressException', 'ResourceInUseException', 'ConflictException',
  'InternalServerException', 'InternalFailure', 'InternalError', 'ServiceUnavailable', 'ServiceUnavailableException',
  'RequestTimeout', 'RequestTimeoutException', 'PriorRequestNotComplete',
]);

/** Error names that no retry can fix: identity, permission, input, quota. */
export const TERMINAL_ERRORS: ReadonlySet<string> = new Set([
  'AccessDeniedException', 'AccessDenied', 'UnrecognizedClientException', 'InvalidSignatureException', 'SignatureDoesNotMatch',
  'InvalidClientTokenId', 'IncompleteSignature', 'MissingAuthenticationToken', 'ExpiredTokenException', 'ExpiredToken',
  'NotAuthorized', 'OptInRequired', 'ValidationException', 'InvalidParameterException', 'InvalidArnException',
  'InvalidArgsException', 'InvalidTagException', 'TooManyTagsException', 'TagPolicyException', 'LimitExceededException',
  'ServiceQuotaExceededException', 'InvalidStateException', 'InvalidAction', 'CredentialsProviderError',
]);

/** What an SDK error says about itself, read defensively (anything may be thrown). */
export interface AwsErrorFacts {
  readonly name: string;
  readonly message: string;
  readonly httpStatus: number | undefined;
  readonly requestId: string | undefined;
  /** The SDK marked it retryable (throttling or transient). */
  readonly sdkRetryable: boolean;
}

/** Reads the facts of an SDK error. */
export function awsErrorFacts(err: unknown): AwsErrorFacts {
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: unknown; requestId?: unknown }; $retryable?: unknown;
  };
  const status = e.$metadata?.httpStatusCode;
  const requestId = e.$metadata?.requestId;
  const message = typeof e.message === 'string' ? e.message : String(err);
  // The SDK could not read the body as AWS JSON (an XML error page, a proxy's HTML): say so
  // instead of quoting a parser error.
  const unreadable = typeof status === 'number' && (e.name === 'SyntaxError' || message.includes('Deserialization error'));
  return {
    name: unreadable ? 'UnreadableResponse' : typeof e.name === 'string' && e.name !== '' ? e.name : 'Error',
    message: unreadable ? 'the response body is not an AWS JSON document (is the endpoint an ACM endpoint, or a proxy?)' : message,
    httpStatus: typeof status === 'number' ? status : undefined,
    requestId: typeof requestId === 'string' && requestId !== '' ? requestId : undefined,
    sdkRetryable: e.$retryable !== undefined && e.$retryable !== null,
  };
}

/**
 * Pure decision: may the same request succeed later? Known names first, then what the SDK
 * and the HTTP status say; an unknown client error (4xx) is terminal, anything else retryable
 * (a connector bug or an unclassified transport failure should cause retries, not give up).
 */
export function isRetryable(f: AwsErrorFacts): boolean {
  if (RETRYABLE_ERRORS.has(f.name) || f.sdkRetryable) return true;
  if (TERMINAL_ERRORS.has(f.name)) return false;
  if (f.httpStatus !== undefined) return f.httpStatus >= 500 || f.httpStatus === 429 || f.httpStatus === 408;
  return true;
}

/** A hint for the errors users meet most, appended to the message. */
function hint(f: AwsErrorFacts, action: string): string {
  if (f.name === 'AccessDeniedException' || f.name === 'AccessDenied') return `; the identity needs acm:${action} (see docs/connectors/aws-acm.md for the IAM policy)`;
  if (f.name === 'UnrecognizedClientException' || f.name === 'InvalidClientTokenId') return '; the access key id is not known to AWS (wrong key, or deleted)';
  if (f.name === 'InvalidSignatureException' || f.name === 'SignatureDoesNotMatch') return '; the secret access key does not match the access key id';
  if (f.name === 'LimitExceededException') return '; the ACM certificate quota (imports per year or certificates per account) is exhausted';
  return '';
}

/** Whether `err` is the named AWS error. */
export function isAwsError(err: unknown, name: string): boolean {
  return !(err instanceof CertDeployerError) && awsErrorFacts(err).name === name;
}

/**
 * The error to throw for a failed ACM `action` (e.g. `ImportCertificate`): sandbox errors
 * unchanged, SDK errors as a terminal or retryable ConnectorError naming the action, the
 * AWS error code, the HTTP status and the request id (what AWS support asks for).
 */
export function acmError(err: unknown, action: string): Error {
  if (err instanceof CertDeployerError) return err;
  const f = awsErrorFacts(err);
  const where = [f.httpStatus === undefined ? '' : `HTTP ${f.httpStatus}`, f.requestId === undefined ? '' : `request id ${f.requestId}`].filter(Boolean).join(', ');
  const message = `ACM ${action} failed: ${f.name}: ${f.message}${where === '' ? '' : ` (${where})`}${hint(f, action)}`;
  return isRetryable(f) ? retryable(message) : terminal(message);
}

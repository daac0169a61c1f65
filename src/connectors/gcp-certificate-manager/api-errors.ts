/**
 * What a failed Certificate Manager call means for the controller. The client library turns
 * the Google JSON error (`{"error":{"code","status","message"}}`) and failed operations into
 * errors with a gRPC status `code`; sandbox errors (denied, unreachable, timed out) pass
 * through unchanged. Authentication, permission and invalid input are terminal; throttling,
 * 5xx and transport trouble are retryable. The server's message is quoted redacted and
 * shortened, and never attached as a cause (loggers print causes).
 */
import { CertDeployerError, retryable, terminal, type ConnectorError } from '@cert-deployer/connector-sdk';

/** gRPC status codes by number (google.rpc.Code), for messages and classification. */
export const GrpcCode = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

const NAMES = new Map<number, string>(Object.entries(GrpcCode).map(([k, v]) => [v, k]));

/**
 * Codes worth retrying unchanged. ALREADY_EXISTS is among them: it means a create raced
 * another one (or an earlier create is still finishing), and the next attempt finds the
 * certificate and updates it instead.
 */
const RETRYABLE_CODES = new Set<number>([
  GrpcCode.CANCELLED, GrpcCode.UNKNOWN, GrpcCode.DEADLINE_EXCEEDED, GrpcCode.ALREADY_EXISTS,
  GrpcCode.RESOURCE_EXHAUSTED, GrpcCode.ABORTED, GrpcCode.INTERNAL, GrpcCode.UNAVAILABLE,
]);

const MAX_QUOTED = 300;
const RESOURCE = /^projects\/([^/]+)\/locations\/([^/]+)\/(certificates|operations)\/([^/]+)$/;

/**
 * A resource name as prose: `certificate web (project p, location global)`. Error messages
 * pass through `redactSecrets`, which takes any 40-character run of base64 characters (and
 * `/` is one) for key material, so a full resource name would come out mangled.
 */
export function readableName(name: string): string {
  const m = RESOURCE.exec(name);
  if (m === null) return name;
  return `${m[3] === 'certificates' ? 'certificate' : 'operation'} ${m[4]} (project ${m[1]}, location ${m[2]})`;
}

/** HTTP statuses worth retrying: timeouts, conflicts of concurrent writers, throttling, 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Whether a gRPC status code is worth retrying. */
export function isRetryableCode(code: number): boolean {
  return RETRYABLE_CODES.has(code);
}

/** `NAME (n)` for a gRPC code. */
export function codeName(code: number): string {
  return `${NAMES.get(code) ?? 'CODE'} (${code})`;
}

/** The error for a failed call or operation with gRPC `code` and server `message`. */
export function errorForCode(what: string, code: number, message: string): ConnectorError {
  const text = `${what} failed: ${codeName(code)}${message === '' ? '' : `: ${message.slice(0, MAX_QUOTED)}`}`;
  return isRetryableCode(code) ? retryable(text) : terminal(text);
}

/**
 * Classifies what a client call threw. `lastStatus` is the HTTP status the transport saw last,
 * for failures the library could not decode (an HTML 502 from a proxy).
 */
export function classifyApiError(err: unknown, what: string, lastStatus: number | undefined): Error {
  if (err instanceof CertDeployerError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'number' && Number.isInteger(code) && code > 0) {
    const message = (err as { message?: unknown }).message;
    return errorForCode(what, code, typeof message === 'string' ? message : '');
  }
  if (lastStatus !== undefined && (lastStatus < 200 || lastStatus > 299)) {
    const text = `${what} failed: HTTP ${lastStatus}`;
    return isRetryableStatus(lastStatus) ? retryable(text) : terminal(text);
  }
  const name = err instanceof Error ? err.name : typeof err;
  return retryable(`${what} failed: ${name} from the client library`);
}

/**
 * Turns whatever the Azure SDK threw into the error the controller acts on. Pure: the caller
 * passes the thrown value, what the transport saw last, and the deploy's signal.
 *
 * - Sandbox errors (DeniedError, unreachable, timeout) and aborts pass through unchanged:
 *   they already carry a stable code and the right `retryable`. MSAL swallows transport
 *   errors into its own `network_error`, so the transport's last failure is preferred.
 * - Key Vault and Entra HTTP answers by status: 429, 408 and 5xx are retryable (throttled,
 *   busy); 400/401/403/404/409 and the rest are terminal (invalid input, authentication,
 *   permission, a name in the deleted state), because retrying unchanged cannot help.
 * - Credential configuration problems (no workload identity environment, a tenant the
 *   challenge does not allow, a challenge resource that does not match the vault) are
 *   terminal. Anything unrecognised is retryable, like any unknown error in the controller.
 *
 * Server messages are quoted only through `terminal()`/`retryable()`, which redact PEM blocks
 * and base64 runs; raw responses are never attached as a cause.
 */
import { CertDeployerError, retryable, terminal } from '@cert-deployer/connector-sdk';

/** Error names the identity library uses for configuration-level failures. */
const CREDENTIAL_CONFIG_ERRORS = new Set(['CredentialUnavailableError', 'ClientConfigurationError']);
const CHALLENGE_MISMATCH = /^The challenge (resource|origin)/;
const MAX_DETAIL = 300;

/** A fact about a thrown value, read defensively (SDK errors are not our types). */
interface ErrorFacts {
  readonly name: string;
  readonly message: string;
  readonly status: number | undefined;
  readonly code: string | undefined;
}

/** The values along `err`'s cause chain (bounded: SDK errors wrap MSAL's, which wrap HTTP). */
function chainOf(err: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let cur: unknown = err;
  for (let depth = 0; depth < 8 && typeof cur === 'object' && cur !== null; depth++) {
    out.push(cur as Record<string, unknown>);
    cur = (cur as { cause?: unknown }).cause;
  }
  return out;
}

const httpStatus = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v >= 100 && v <= 599 ? v : undefined);

/**
 * Name and message of the outer error; HTTP status and service error code from the first
 * link of the chain that has them (RestError `statusCode`/`code`, identity's
 * AuthenticationError `statusCode`/`errorResponse.error`, MSAL's ServerError `status`/`errorCode`).
 */
function factsOf(err: unknown): ErrorFacts {
  const chain = chainOf(err);
  const outer = chain[0] ?? {};
  let status: number | undefined;
  let code: string | undefined;
  for (const e of chain) {
    status ??= httpStatus(e.statusCode) ?? httpStatus(e.status);
    const nested = (e.errorResponse as { error?: unknown } | undefined)?.error;
    code ??= [e.errorCode, nested, e.code].find((c): c is string => typeof c === 'string' && c !== '');
  }
  return {
    name: typeof outer.name === 'string' ? outer.name : 'Error',
    message: typeof outer.message === 'string' ? outer.message : String(err),
    status,
    code,
  };
}

/** The first CertDeployerError in `err`'s cause chain (bounded), if any. */
function projectErrorIn(err: unknown): CertDeployerError | undefined {
  let cur: unknown = err;
  for (let depth = 0; depth < 8 && cur !== undefined && cur !== null; depth++) {
    if (cur instanceof CertDeployerError) return cur;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The first line of a server message, shortened: enough to act on, never a whole body. */
function detail(message: string): string {
  const line = message.split('\n').find((l) => l.trim() !== '') ?? message;
  return line.length > MAX_DETAIL ? `${line.slice(0, MAX_DETAIL)}…` : line;
}

/** Whether an HTTP status means "the same request may succeed later". */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * The error to throw for `err`, raised while `operation` (e.g. `importing web-tls`) ran.
 * Returns the original for sandbox errors and aborts.
 */
export function classifyAzureError(err: unknown, ctx: { operation: string; lastTransportFailure: unknown; signal: AbortSignal }): unknown {
  if (ctx.signal.aborted) return ctx.signal.reason;
  const own = projectErrorIn(err);
  if (own !== undefined) return own;
  const transport = projectErrorIn(ctx.lastTransportFailure);
  if (transport !== undefined) return transport;

  const f = factsOf(err);
  const what = `${ctx.operation}: ${f.code !== undefined ? `${f.code}: ` : ''}${detail(f.message)}`;
  if (f.status !== undefined) {
    const http = `${what} (HTTP ${f.status})`;
    return isRetryableStatus(f.status) ? retryable(http) : terminal(http);
  }
  if (CREDENTIAL_CONFIG_ERRORS.has(f.name)) return terminal(`${ctx.operation}: credential unavailable: ${detail(f.message)}`);
  if (CHALLENGE_MISMATCH.test(f.message)) return terminal(what);
  return retryable(what);
}

/**
 * Pure mapping from an iControl REST error response to a connector error. BIG-IP answers
 * errors as JSON `{ code, message, errorStack }`; the message is quoted (redacted, shortened)
 * because it is the only useful hint ("01070621:3: … is in use by ssl profile …"), but never
 * the raw body. 401/403 and other 4xx are terminal (retrying the same request cannot help);
 * 408, 429 and 5xx are retryable (the appliance is busy, restarting or failing over).
 */
import { type HttpResponse, retryable, terminal, type ConnectorError, redactSecrets } from '@cert-deployer/connector-sdk';

/** How much of a server message an error quotes. */
const MAX_QUOTE = 300;

/** Statuses worth retrying without a change: timeout, throttling, server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** The JSON body of a response, or undefined when it is empty or not JSON. */
export function jsonOf(res: HttpResponse): unknown {
  const text = Buffer.from(res.body).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The server's own explanation: `message` of a JSON error body, else a short text excerpt. */
export function serverMessage(res: HttpResponse): string {
  const json = jsonOf(res) as { message?: unknown } | undefined;
  const raw = typeof json?.message === 'string' ? json.message : Buffer.from(res.body).toString('utf8');
  const clean = redactSecrets(raw.replace(/\s+/g, ' ').trim());
  return clean.length > MAX_QUOTE ? `${clean.slice(0, MAX_QUOTE)}…` : clean;
}

/** The connector error for a failed `operation` (e.g. "install certificate /Common/x"). */
export function httpError(operation: string, res: HttpResponse): ConnectorError {
  const said = serverMessage(res);
  const what = `${operation}: BIG-IP answered HTTP ${res.status}${said === '' ? '' : `: ${said}`}`;
  if (res.status === 401) return terminal(`${what} (authentication failed: check the credentials Secret)`);
  if (res.status === 403) return terminal(`${what} (the user lacks a role that allows this)`);
  return isRetryableStatus(res.status) ? retryable(what) : terminal(what);
}

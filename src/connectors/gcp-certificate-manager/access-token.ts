/**
 * Access tokens, fetched through the sandbox: a service account assertion exchanged at the
 * OAuth token endpoint, or a workload identity token from the metadata server. One token per
 * deploy: a new connector instance (every deploy) asks again, so idempotency and grant checks
 * never depend on a cache. Error messages quote only the OAuth `error` fields, redacted.
 */
import { retryable, terminal, type Sandbox } from '@cert-deployer/connector-sdk';
import { isRetryableStatus } from './api-errors.ts';
import { CLOUD_PLATFORM_SCOPE, signAssertion, type ServiceAccountKey } from './service-account-key.ts';

/** How long one token request may take. */
export const TOKEN_REQUEST_TIMEOUT_MS = 30_000;
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const METADATA_TOKEN_PATH = '/computeMetadata/v1/instance/service-accounts/default/token';

/** Where a deploy's bearer token comes from. */
export interface TokenSource {
  /** A bearer access token; throws a classified error when none can be had. */
  token(signal: AbortSignal): Promise<string>;
}

/** The `error`/`error_description` of an OAuth error body, short, or the status alone. */
export function oauthErrorSummary(status: number, body: Uint8Array): string {
  try {
    const json = JSON.parse(Buffer.from(body).toString('utf8')) as { error?: unknown; error_description?: unknown };
    const err = typeof json.error === 'string' ? json.error : typeof json.error === 'object' && json.error !== null ? String((json.error as { message?: unknown }).message ?? '') : '';
    const desc = typeof json.error_description === 'string' ? `: ${json.error_description}` : '';
    if (err !== '') return `HTTP ${status} ${err.slice(0, 100)}${desc.slice(0, 200)}`;
  } catch {
    // not JSON: the status says enough
  }
  return `HTTP ${status}`;
}

function accessTokenOf(body: Uint8Array): string | null {
  try {
    const json = JSON.parse(Buffer.from(body).toString('utf8')) as { access_token?: unknown };
    return typeof json.access_token === 'string' && json.access_token.length > 0 ? json.access_token : null;
  } catch {
    return null;
  }
}

function failure(what: string, status: number, body: Uint8Array, hint = ''): Error {
  const summary = `${what} failed: ${oauthErrorSummary(status, body)}${hint}`;
  return isRetryableStatus(status) ? retryable(summary) : terminal(summary);
}

/** Caches the first token for the lifetime of one connector instance (one deploy). */
function once(fetchToken: (signal: AbortSignal) => Promise<string>): TokenSource {
  let pending: Promise<string> | undefined;
  return {
    token(signal) {
      pending ??= fetchToken(signal).catch((err: unknown) => {
        pending = undefined;
        throw err;
      });
      return pending;
    },
  };
}

/** Exchanges a signed service account assertion at `tokenUrl`. */
export function serviceAccountTokens(sandbox: Sandbox, key: ServiceAccountKey, tokenUrl: string, now: () => number): TokenSource {
  return once(async (signal) => {
    const form = new URLSearchParams({ grant_type: JWT_BEARER, assertion: signAssertion(key, tokenUrl, now()) });
    const res = await sandbox.request({
      url: tokenUrl,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      timeoutMs: TOKEN_REQUEST_TIMEOUT_MS,
      signal,
    });
    if (res.status !== 200) throw failure(`token exchange for ${key.clientEmail}`, res.status, res.body);
    const token = accessTokenOf(res.body);
    if (token === null) throw retryable(`token exchange for ${key.clientEmail}: the response has no access_token`);
    return token;
  });
}

/** Asks the metadata server for the workload identity's token. */
export function metadataTokens(sandbox: Sandbox, metadataServerUrl: string): TokenSource {
  return once(async (signal) => {
    const url = `${metadataServerUrl.replace(/\/+$/, '')}${METADATA_TOKEN_PATH}?scopes=${encodeURIComponent(CLOUD_PLATFORM_SCOPE)}`;
    const res = await sandbox.request({ url, method: 'GET', headers: { 'metadata-flavor': 'Google' }, timeoutMs: TOKEN_REQUEST_TIMEOUT_MS, signal });
    if (res.status !== 200) {
      const hint = res.status === 404 ? ' (no service account is attached: configure workload identity for the operator, or set credentialsRef)' : '';
      throw failure('workload identity token from the metadata server', res.status, res.body, hint);
    }
    const token = accessTokenOf(res.body);
    if (token === null) throw retryable('workload identity token: the metadata server response has no access_token');
    return token;
  });
}

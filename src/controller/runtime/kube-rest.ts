/**
 * One JSON request to the API server over a {@link KubeAccess}: the few calls the controller
 * makes outside its informers (GET a Secret, PUT a status, JSON-patch finalizers, Leases,
 * Events), without client-node's generated APIs. A non-2xx answer becomes a
 * {@link KubeApiError} carrying the HTTP status and the Status reason, so callers branch on
 * codes (404, 409) exactly as they did on client-node's ApiException.
 */
import { request } from 'undici';
import type { KubeAccess } from './kube-access.ts';
import { KubeApiError, type KubeStatus } from './kube-errors.ts';

/** Content types of the three PATCH flavours the API server accepts. */
export const PatchType = {
  JsonPatch: 'application/json-patch+json',
  MergePatch: 'application/merge-patch+json',
  StrategicMergePatch: 'application/strategic-merge-patch+json',
} as const;

export interface KubeRequestOptions {
  readonly query?: Record<string, string | number | boolean | undefined>;
  readonly body?: unknown;
  /** Defaults to application/json when there is a body. */
  readonly contentType?: string;
  readonly signal?: AbortSignal;
}

/** Sends one request and returns the decoded JSON body. */
export async function kubeRequest<T>(access: KubeAccess, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, opts: KubeRequestOptions = {}): Promise<T> {
  const url = new URL(access.server + path);
  for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  const { headers, dispatcher } = await access.auth();
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  let status: number;
  let text: string;
  try {
    // undici's request(), not fetch(): the same connection pool without the WHATWG
    // Request/Response/stream machinery, which cost more CPU than the calls themselves.
    const res = await request(url, {
      method,
      headers: { Accept: 'application/json', ...headers, ...(body !== undefined ? { 'Content-Type': opts.contentType ?? 'application/json' } : {}) },
      body,
      ...(dispatcher !== undefined ? { dispatcher } : {}),
      signal: opts.signal,
    });
    status = res.statusCode;
    text = await res.body.text();
  } catch (err) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    throw new KubeApiError(0, 'Transport', `${method} ${path}: ${(err as Error).message}`, err);
  }
  if (status >= 200 && status <= 299) return (text === '' ? {} : JSON.parse(text)) as T;
  let parsed: KubeStatus | undefined;
  try {
    const json = JSON.parse(text) as KubeStatus;
    if (json.kind === 'Status') parsed = json;
  } catch {
    // not JSON
  }
  if (parsed) throw KubeApiError.fromStatus({ ...parsed, code: parsed.code ?? status }, `${method} ${path}`);
  throw new KubeApiError(status, '', `${method} ${path}: HTTP ${status} ${text.slice(0, 200)}`);
}

/** `/api/v1/...` or `/apis/group/version/...` path of one object or collection. */
export function objectPath(r: { group?: string; version: string; plural: string; namespace?: string; name?: string; subresource?: string }): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const ns = r.namespace !== undefined ? `/namespaces/${encodeURIComponent(r.namespace)}` : '';
  const name = r.name !== undefined ? `/${encodeURIComponent(r.name)}` : '';
  return `${base}${ns}/${r.plural}${name}${r.subresource ? `/${r.subresource}` : ''}`;
}

/** A Date that serializes with microseconds (metav1.MicroTime), which Leases and Events require. */
export class MicroTime extends Date {
  override toISOString(): string {
    return `${super.toISOString().slice(0, -1)}000Z`;
  }
}

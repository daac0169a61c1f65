/**
 * Raw list and watch over any collection path, authenticated by a KubeAccess. The informer
 * supervisor needs both to carry exactly the same selectors (otherwise the initial cache and
 * the watch disagree), bookmarks, and a watch that stays open as long as the server keeps it
 * open: client-node's `Watch` aborts any watch that is quiet for 30 s, which on a quiet
 * resource costs one reconnect every 30 s, so this transport streams with undici directly and
 * leaves dead-watch detection to the supervisor's bookmark watchdog.
 */
import { request as undiciRequest } from 'undici';
import { accessOf, type KubeConnection } from './kube-access.ts';
import { KubeApiError, type KubeStatus } from './kube-errors.ts';

/** Query parameters; undefined values are left out. */
export type Query = Record<string, string | number | boolean | undefined>;

/** One page of a list response. */
export interface ListPage<T> {
  items: T[];
  metadata?: { resourceVersion?: string; continue?: string };
}

/** One decoded watch event. `ERROR` carries a Status; `BOOKMARK` only metadata.resourceVersion. */
export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/** List and watch by path; the seam the informer supervisor is tested through. */
export interface KubeTransport {
  /** GET `path` with `query`; rejects with a {@link KubeApiError} on a non-2xx response. */
  list<T>(path: string, query: Query, signal: AbortSignal): Promise<ListPage<T>>;
  /**
   * Opens a watch on `path`. Resolves once the server has accepted it (HTTP 200); the iterator
   * yields events until the server ends the stream, and throws if the connection fails or
   * `signal` aborts.
   */
  watch<T>(path: string, query: Query, signal: AbortSignal): Promise<AsyncIterable<WatchEvent<T>>>;
}

/**
 * Accept headers that make the API server send only each object's metadata (a
 * `PartialObjectMetadata`, as client-go's metadata informers ask): the Secret informer never
 * receives Secret data at all, so none is parsed or held, and lists and watch events are a
 * fraction of the size.
 */
const METADATA_ONLY = {
  list: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json',
  watch: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json',
};

/**
 * A {@link KubeTransport} for the API server and credentials of `kc`; with `metadataOnly`
 * objects arrive as `PartialObjectMetadata` (metadata only, no spec, data or status).
 */
export function kubeTransport(kc: KubeConnection, opts: { metadataOnly?: boolean } = {}): KubeTransport {
  const access = accessOf(kc);
  /** undici's request() (no WHATWG streams): the body is a Node stream of Buffers. */
  const request = async (path: string, query: Query, signal: AbortSignal): Promise<RawResponse> => {
    if (access.server === '') throw new KubeApiError(0, 'NoCluster', 'kubeconfig has no current cluster');
    const url = new URL(access.server + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    const { headers, dispatcher } = await access.auth();
    const accept = opts.metadataOnly === true ? { Accept: query.watch === true ? METADATA_ONLY.watch : METADATA_ONLY.list } : {};
    try {
      const res = await undiciRequest(url, { headers: { ...headers, ...accept }, ...(dispatcher !== undefined ? { dispatcher } : {}), signal });
      return { status: res.statusCode, body: res.body, text: () => res.body.text(), json: () => res.body.json() };
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      throw new KubeApiError(0, 'Transport', `GET ${path}: ${(err as Error).message}`, err);
    }
  };
  return {
    async list<T>(path: string, query: Query, signal: AbortSignal): Promise<ListPage<T>> {
      const res = await request(path, query, signal);
      if (res.status < 200 || res.status > 299) throw await errorFrom(res, `list ${path}`);
      return (await res.json()) as ListPage<T>;
    },
    async watch<T>(path: string, query: Query, signal: AbortSignal): Promise<AsyncIterable<WatchEvent<T>>> {
      const res = await request(path, { ...query, watch: true }, signal);
      if (res.status !== 200) throw await errorFrom(res, `watch ${path}`);
      return decodeEvents<T>(res.body, path);
    },
  };
}

/** What the transport reads of a response. */
interface RawResponse {
  readonly status: number;
  readonly body: AsyncIterable<Uint8Array>;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

/** Builds the error for a failed response from its Status body when it has one. */
async function errorFrom(res: RawResponse, context: string): Promise<KubeApiError> {
  const text = await res.text().catch(() => '');
  try {
    const status = JSON.parse(text) as KubeStatus;
    if (status.kind === 'Status') return KubeApiError.fromStatus({ ...status, code: status.code ?? res.status }, context);
  } catch {
    // not JSON: fall through
  }
  return new KubeApiError(res.status, '', `${context}: HTTP ${res.status} ${text.slice(0, 200)}`);
}

/** Splits the chunked JSON stream into events; a malformed line ends the watch with an error. */
async function* decodeEvents<T>(body: AsyncIterable<Uint8Array>, path: string): AsyncGenerator<WatchEvent<T>> {
  const decoder = new TextDecoder();
  let buffered = '';
  const parse = (line: string): WatchEvent<T> => {
    try {
      return JSON.parse(line) as WatchEvent<T>;
    } catch {
      throw new KubeApiError(0, 'Decode', `watch ${path}: undecodable event (${line.length} bytes)`);
    }
  };
  for await (const chunk of body) {
    buffered += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line !== '') yield parse(line);
    }
  }
  const rest = (buffered + decoder.decode()).trim();
  if (rest !== '') yield parse(rest);
}

/**
 * Collection path for a resource, optionally within one namespace:
 * `/api/v1/namespaces/ns/secrets`, `/apis/group/version/plural`.
 */
export function collectionPath(r: { group?: string; version: string; plural: string; namespace?: string }): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  return r.namespace ? `${base}/namespaces/${encodeURIComponent(r.namespace)}/${r.plural}` : `${base}/${r.plural}`;
}

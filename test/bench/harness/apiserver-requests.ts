/**
 * API requests as the kube-apiserver counts them (`apiserver_request_total` on its /metrics,
 * read with the admin kubeconfig), per verb and resource, and the difference between two
 * snapshots: what a tool asked of the API server while it ran, whatever client library it uses.
 */
import { request } from 'node:https';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

/** `VERB resource[/subresource]` → count. */
export type RequestCounts = Record<string, number>;

interface AdminAuth { readonly server: string; readonly ca: string; readonly cert: string; readonly key: string }

/** The server and admin client certificate of a kubeconfig written by hack/local-cluster. */
export async function adminAuth(kubeconfigPath: string): Promise<AdminAuth> {
  type Kc = { clusters: { cluster: { server: string; 'certificate-authority-data': string } }[]; users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[] };
  const kc = parse(await readFile(kubeconfigPath, 'utf8')) as Kc;
  const b = (s: string | undefined): string => Buffer.from(s ?? '', 'base64').toString();
  const cluster = kc.clusters[0]!.cluster;
  const user = kc.users[0]!.user;
  return { server: cluster.server, ca: b(cluster['certificate-authority-data']), cert: b(user['client-certificate-data']), key: b(user['client-key-data']) };
}

/** GET `path` on the API server as admin, as text. */
export function adminGet(auth: AdminAuth, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, auth.server), { ca: auth.ca, cert: auth.cert, key: auth.key, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`GET ${path}: HTTP ${res.statusCode} ${body.slice(0, 200)}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Parses `apiserver_request_total` lines of a Prometheus text exposition (pure). */
export function parseRequestTotals(text: string): RequestCounts {
  const out: RequestCounts = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (!labels.resource) continue; // non-resource requests (/metrics, /readyz, discovery)
    const key = `${labels.verb} ${labels.resource}${labels.subresource ? `/${labels.subresource}` : ''}`;
    out[key] = (out[key] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return out;
}

/** Counts now. */
export async function requestTotals(auth: AdminAuth): Promise<RequestCounts> {
  return parseRequestTotals(await adminGet(auth, '/metrics'));
}

/**
 * `after − before − own`, dropping zeros: `own` is what the harness itself sent in the window
 * (its Secret updates), so what remains is the tools'.
 */
export function diffCounts(before: RequestCounts, after: RequestCounts, own: RequestCounts = {}): RequestCounts {
  const out: RequestCounts = {};
  for (const k of Object.keys(after).sort()) {
    const n = (after[k] ?? 0) - (before[k] ?? 0) - (own[k] ?? 0);
    if (n > 0) out[k] = n;
  }
  return out;
}

/** Sum of the counts whose verb is one of `verbs`. */
export function sumVerbs(counts: RequestCounts, verbs: readonly string[]): number {
  return Object.entries(counts).filter(([k]) => verbs.includes(k.split(' ')[0]!)).reduce((n, [, v]) => n + v, 0);
}

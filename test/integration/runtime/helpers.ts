/**
 * Small helpers for the runtime integration tests: polling for an eventually-true condition
 * (no fixed sleeps), and etcd compaction — the real cause of `410 Gone` on a watch, which the
 * informer test needs on demand.
 */
import { readdir, readFile } from 'node:fs/promises';
import type { KubeConfig } from '@kubernetes/client-node';

/** Polls `probe` until it returns a value other than undefined/false, or fails with `what`. */
export async function eventually<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The etcd client URL behind the API server of `kc`. The shared test control plane does not
 * publish it, so read it from the kube-apiserver process serving that port (Linux /proc).
 */
export async function etcdUrlFor(kc: KubeConfig): Promise<string> {
  const port = new URL(kc.getCurrentCluster()!.server).port;
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (!args[0]?.endsWith('kube-apiserver') || !args.includes(`--secure-port=${port}`)) continue;
    const etcd = args.find((a) => a.startsWith('--etcd-servers='));
    if (etcd) return etcd.slice('--etcd-servers='.length).split(',')[0]!;
  }
  throw new Error(`no kube-apiserver process serving port ${port} found in /proc`);
}

/**
 * Compacts etcd at its current revision, as the API server itself does every 5 minutes:
 * afterwards, watches from any older resourceVersion of an uncached resource get 410 Gone.
 */
export async function compactEtcd(etcdUrl: string): Promise<number> {
  const range = await fetch(`${etcdUrl}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: Buffer.from('/').toString('base64') }) });
  const revision = Number(((await range.json()) as { header: { revision: string } }).header.revision);
  const res = await fetch(`${etcdUrl}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision, physical: true }) });
  if (!res.ok) throw new Error(`etcd compaction failed: HTTP ${res.status} ${await res.text()}`);
  return revision;
}

/**
 * When did each CertificateDeployment report Ready=True for a given certificate? One LIST and
 * one WATCH of the namespace (the harness's only requests during a controller phase, which it
 * subtracts from the API server's counts), resolving a promise per deployment at the moment the
 * event arrives: exact, and no polling load on the API server being measured.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { collectionPath, kubeTransport } from '../../../src/controller/runtime/kube-transport.ts';
import { G } from './fixtures.ts';

type Cd = { metadata: { name: string; generation?: number }; status?: { fingerprint?: string; observedGeneration?: number; conditions?: { type: string; status: string }[] } };

const isReady = (d: Cd, fp: string): boolean =>
  d.status?.fingerprint === fp && d.status.observedGeneration === d.metadata.generation && d.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

/** Watches one namespace's deployments until `close()`. */
export class ReadyWatch {
  private readonly want = new Map<string, { fp: string; resolve: (ms: number) => void }>();
  private readonly last = new Map<string, Cd>();
  private readonly abort = new AbortController();
  /** Requests this watch sent, for subtraction: one LIST and one WATCH. */
  static readonly OWN = { 'LIST certificatedeployments': 1, 'WATCH certificatedeployments': 1 };

  private constructor() {}

  /** Lists, then watches from the list's resourceVersion. */
  static async start(kc: KubeConfig, namespace: string): Promise<ReadyWatch> {
    const w = new ReadyWatch();
    const t = kubeTransport(kc);
    const path = collectionPath({ ...G, namespace });
    const page = await t.list<Cd>(path, {}, w.abort.signal);
    for (const d of page.items) w.last.set(d.metadata.name, d);
    const events = await t.watch<Cd>(path, { resourceVersion: page.metadata?.resourceVersion, allowWatchBookmarks: true }, w.abort.signal);
    void (async () => {
      try {
        for await (const e of events) if (e.type === 'ADDED' || e.type === 'MODIFIED') w.seen(e.object);
      } catch {
        // aborted by close()
      }
    })();
    return w;
  }

  private seen(d: Cd): void {
    this.last.set(d.metadata.name, d);
    const x = this.want.get(d.metadata.name);
    if (x && isReady(d, x.fp)) {
      this.want.delete(d.metadata.name);
      x.resolve(performance.now());
    }
  }

  /** Per deployment name → fingerprint, the moment it is (or becomes) Ready on it. */
  expect(fps: ReadonlyMap<string, string>): Promise<number>[] {
    return [...fps].map(([name, fp]) => new Promise<number>((resolve) => {
      this.want.set(name, { fp, resolve });
      const d = this.last.get(name);
      if (d) this.seen(d);
    }));
  }

  get pending(): number {
    return this.want.size;
  }

  close(): void {
    this.abort.abort();
  }
}

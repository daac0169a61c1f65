/**
 * What every scenario shares: the control plane's clients, the admin view of the API server's
 * request counts, the directory all target files go to and its watcher, and the measuring
 * helpers that bracket a phase (request counts before/after, settle).
 */
import type { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { adminAuth} from './apiserver-requests.ts';
import { diffCounts, requestTotals, type RequestCounts } from './apiserver-requests.ts';
import type { FileTargets } from './file-targets.ts';

export interface BenchContext {
  readonly kubeconfig: string;
  readonly kc: KubeConfig;
  readonly core: CoreV1Api;
  readonly objects: CustomObjectsApi;
  readonly auth: Awaited<ReturnType<typeof adminAuth>>;
  readonly work: string;
  readonly files: FileTargets;
  readonly concurrency: number;
  readonly peerBinary?: string;
  /** How long the API server must be quiet for a phase to end (1 s; less in smoke mode). */
  readonly settleMs: number;
  /** Pause between single-rotation samples (2 s; less in smoke mode). */
  readonly sampleGapMs: number;
  /** The controller's entry point: dist/src/main.js as the image runs it (src/main.ts for the smoke test). */
  readonly controllerEntry: string;
  log(msg: string): void;
}

/**
 * Waits until the API server has seen no new resource request for `quietMs` (two equal
 * snapshots), so the tools' trailing writes (status, annotations) fall inside the phase.
 */
export async function settle(ctx: BenchContext, quietMs = ctx.settleMs, timeoutMs = 120_000): Promise<RequestCounts> {
  const end = Date.now() + timeoutMs;
  let prev = await requestTotals(ctx.auth);
  for (;;) {
    await new Promise((r) => setTimeout(r, quietMs));
    const now = await requestTotals(ctx.auth);
    if (JSON.stringify(now) === JSON.stringify(prev) || Date.now() > end) return now;
    prev = now;
  }
}

/** Request counts of a phase: `before` → settled, minus what the harness sent itself. */
export async function phaseRequests(ctx: BenchContext, before: RequestCounts, own: RequestCounts): Promise<RequestCounts> {
  return diffCounts(before, await settle(ctx), own);
}

/** Adds request counts. */
export function addCounts(...cs: RequestCounts[]): RequestCounts {
  const out: RequestCounts = {};
  for (const c of cs) for (const [k, v] of Object.entries(c)) out[k] = (out[k] ?? 0) + v;
  return out;
}

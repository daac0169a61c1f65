/**
 * Controller processes for the fault suite: the real entry point (`node src/main.ts`, as the
 * benchmark and the leader-election test start it), each with its own deploy-span file, killed
 * with SIGKILL, and the moment of each death recorded for the span audit. Also the rotation
 * storm: random Secret rotations at a steady rate until stopped.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnController, type ControllerProcess } from '../support/controller-process.ts';
import type { FaultFixture } from './fault-fixture.ts';
import { parseSpans, type SpanLine } from './span-audit.ts';

export interface Replica {
  readonly id: string;
  readonly proc: ControllerProcess;
  readonly pid: number;
  alive(): boolean;
}

export interface Replicas {
  spawn(id: string, opts: { leaderElect: boolean }): Promise<Replica>;
  /** Resolves once the replica's /readyz answers 200 (informers synced), so a kill hits a working controller. */
  ready(r: Replica, timeoutMs?: number): Promise<number>;
  /** SIGKILL; resolves once the process is gone; records the time of death. */
  kill9(r: Replica): Promise<number>;
  /** SIGTERM and wait (a clean stop between phases). */
  stop(r: Replica): Promise<void>;
  readonly deaths: ReadonlyMap<number, number>;
  /** Every span every replica wrote so far. */
  spans(): Promise<SpanLine[]>;
  /** Kills whatever is still running (teardown). */
  killAll(): Promise<void>;
}

export const LEASE_NAME = 'cd-faults';

export function replicas(fx: FaultFixture): Replicas {
  const deaths = new Map<number, number>();
  const running = new Set<Replica>();
  const spanDir = fx.dir;
  return {
    deaths,
    async spawn(id, opts) {
      const proc = await spawnController([
        '--kubeconfig', fx.plane.kubeconfigPath, '--namespaces', fx.namespace, '--identity', id,
        '--leader-elect', String(opts.leaderElect), '--leader-election-namespace', fx.namespace, '--leader-election-id', LEASE_NAME,
        '--deploy-span-file', join(spanDir, `spans-${id}.jsonl`), '--log-level', 'warn',
      ], {}, { allowAll: false });
      const pid = proc.child.pid!;
      let up = true;
      void proc.exited.then(() => (up = false));
      const r: Replica = { id, proc, pid, alive: () => up };
      running.add(r);
      return r;
    },
    async ready(r, timeoutMs = 60_000) {
      const t0 = Date.now();
      const url = r.proc.metricsUrl.replace(/\/metrics$/, '/readyz');
      while (Date.now() - t0 < timeoutMs && r.alive()) {
        const ok = await fetch(url, { signal: AbortSignal.timeout(1_000) }).then((res) => res.ok, () => false);
        if (ok) return Date.now() - t0;
        await sleep(50);
      }
      throw new Error(`${r.id} not ready within ${timeoutMs} ms`);
    },
    async kill9(r) {
      const at = Date.now();
      r.proc.child.kill('SIGKILL');
      await r.proc.exited;
      deaths.set(r.pid, at);
      running.delete(r);
      return at;
    },
    async stop(r) {
      r.proc.child.kill('SIGTERM');
      await r.proc.exited;
      deaths.set(r.pid, Date.now());
      running.delete(r);
    },
    async spans() {
      const files = (await readdir(spanDir)).filter((f) => f.startsWith('spans-') && f.endsWith('.jsonl'));
      return (await Promise.all(files.map((f) => readFile(join(spanDir, f), 'utf8')))).flatMap(parseSpans);
    },
    async killAll() {
      for (const r of [...running]) await this.kill9(r);
    },
  };
}

/**
 * Random Secret rotations from `writers` concurrent loops, each pausing `everyMs` between puts,
 * until `stop()`; counts puts that succeeded and failed (a failed put may still have landed:
 * the ground truth for "newest" is the Secret as read back at the end).
 */
export function rotationStorm(fx: FaultFixture, everyMs: number, writers = 2, names = fx.targets.map((t) => t.name)) {
  let running = true;
  const counts = { ok: 0, failed: 0 };
  const loops = Array.from({ length: writers }, async () => {
    while (running) {
      const name = names[Math.floor(Math.random() * names.length)]!;
      await fx.rotate(name).then(() => counts.ok++, () => counts.failed++);
      await sleep(everyMs);
    }
  });
  return {
    counts,
    async stop() {
      running = false;
      await Promise.all(loops);
      return counts;
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const between = (lo: number, hi: number) => lo + Math.random() * (hi - lo);

/**
 * Convergence as seen from the targets: every target holds the certificate its Secret holds
 * now (read back from the file or from ACM), ACM holds exactly one certificate per ACM target
 * and none besides. Status is not consulted: it is the controller's claim, not the effect.
 */
import type { FaultFixture, FaultTarget, TargetState } from './fault-fixture.ts';

export interface Verdict {
  readonly targets: number;
  /** Targets holding the newest certificate of their Secret. */
  readonly onNewest: number;
  /** ACM targets with exactly one certificate carrying their owner tag. */
  readonly acmExactlyOne: number;
  readonly acmTargets: number;
  /** Every certificate in the ACM region. */
  readonly acmTotal: number;
  /** Certificates carrying an owner tag: must equal acmTargets (no second certificate for any target). */
  readonly acmOwnerTagged: number;
  /**
   * Certificates carrying no owner tag. moto drops every tag on a re-import (real ACM keeps
   * them; test/support/moto/server.ts), and the connector puts the owner tag back right after:
   * a SIGKILL between the two leaves an untagged certificate that the next deploy cannot prove
   * is its own, so it imports a new one. On real ACM the re-import keeps the tag and this cannot
   * happen; the suite reports these apart instead of hiding them.
   */
  readonly acmUntagged: readonly string[];
  readonly lagging: readonly string[];
}

export async function verdict(fx: FaultFixture, targets: readonly FaultTarget[] = fx.targets): Promise<Verdict> {
  let onNewest = 0;
  let acmExactlyOne = 0;
  const lagging: string[] = [];
  for (const t of targets) {
    const [want, got] = await Promise.all([fx.secretFingerprint(t.name), fx.state(t)]);
    if (got.fingerprint === want) onNewest++;
    else lagging.push(t.name);
    if (t.kind === 'acm' && got.acmCount === 1) acmExactlyOne++;
  }
  const acmTargets = targets.filter((t) => t.kind === 'acm').length;
  const census = await fx.acmCensus();
  return { targets: targets.length, onNewest, acmExactlyOne, acmTargets, acmTotal: census.total, acmOwnerTagged: census.ownerTagged, acmUntagged: census.untagged, lagging };
}

export const converged = (v: Verdict) => v.onNewest === v.targets && v.acmExactlyOne === v.acmTargets && v.acmOwnerTagged === v.acmTargets;

/** Polls until `converged` (errors during a restart are retried); returns the verdict and the ms it took. */
export async function waitConverged(fx: FaultFixture, timeoutMs: number, targets?: readonly FaultTarget[]): Promise<{ verdict: Verdict; ms: number }> {
  const t0 = Date.now();
  let last: Verdict | undefined;
  while (Date.now() - t0 < timeoutMs) {
    last = await verdict(fx, targets).catch(() => last);
    if (last && converged(last)) return { verdict: last, ms: Date.now() - t0 };
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not converged after ${timeoutMs} ms: ${JSON.stringify(last)}`);
}

/** What every target holds, by name (inodes, mtimes, ARNs): two equal snapshots mean no write happened. */
export async function snapshot(fx: FaultFixture): Promise<Map<string, TargetState>> {
  return new Map(await Promise.all(fx.targets.map(async (t) => [t.name, await fx.state(t)] as const)));
}

export function changedTargets(before: ReadonlyMap<string, TargetState>, after: ReadonlyMap<string, TargetState>): string[] {
  return [...before].filter(([name, s]) => after.get(name)?.identity !== s.identity).map(([name]) => name);
}

/**
 * Proof that the target serves the new certificate: fresh TLS handshakes (SNI, no session
 * reuse) against each endpoint until every one serves the fingerprint, or the window closes.
 * Runs in its own sandbox whose only grant is dialing those endpoints (∩ policy).
 */
import type { Clock } from '../core/clock.ts';
import { createSandbox } from '@cert-deployer/connector-sdk/sandbox';
import type { Policy } from '@cert-deployer/connector-sdk/sandbox';
import type { Host } from '@cert-deployer/connector-sdk/sandbox';

export interface VerifyEndpoint {
  readonly address: string;
  readonly serverName?: string | undefined;
}

export interface VerifyOutcome {
  readonly ok: boolean;
  /** Per endpoint, what it served last (leaf fingerprint) or why it could not be probed. */
  readonly message: string;
  /** The earliest notAfter among the leaves the endpoints served at their last probe. */
  readonly servedNotAfter?: string | undefined;
}

const short = (fp: string | undefined) => (fp ? `${fp.slice(0, 12)}…` : 'nothing');

/** Probes until all endpoints serve `fingerprint` or `timeoutMs` passes. */
export async function verifyEndpoints(opts: {
  endpoints: readonly VerifyEndpoint[];
  fingerprint: string;
  timeoutMs: number;
  policy: Policy;
  host: Host;
  signal: AbortSignal;
  clock: Clock;
}): Promise<VerifyOutcome> {
  const { clock } = opts;
  const sandbox = createSandbox({ grant: { read: [], write: [], exec: [], dial: opts.endpoints.map((e) => e.address) }, policy: opts.policy, host: opts.host, clock });
  const deadline = clock.now() + opts.timeoutMs;
  const pending = new Map(opts.endpoints.map((e) => [e.address, e]));
  const last = new Map<string, string>();
  const notAfter = new Map<string, string>();
  const earliest = () => [...notAfter.values()].sort()[0];
  let delay = 50; // the first probe often races an asynchronous reload: retry soon, then back off
  try {
    for (;;) {
      for (const [address, ep] of pending) {
        try {
          const r = await sandbox.tlsProbe({ address, serverName: ep.serverName, timeoutMs: 5_000, signal: opts.signal });
          if (r.leafNotAfter) notAfter.set(address, r.leafNotAfter);
          if (r.fingerprints[0] === opts.fingerprint) pending.delete(address);
          else last.set(address, `serves ${short(r.fingerprints[0])}`);
        } catch (err) {
          last.set(address, err instanceof Error ? err.message : String(err));
        }
      }
      if (pending.size === 0) return { ok: true, message: `${opts.endpoints.length} endpoint(s) serve ${short(opts.fingerprint)}`, servedNotAfter: earliest() };
      if (clock.now() + delay > deadline || opts.signal.aborted) break;
      await clock.sleep(delay, opts.signal).catch(() => undefined); // an abort ends the loop above
      delay = Math.min(delay * 2, 2_000);
    }
  } finally {
    await sandbox.close();
  }
  const detail = [...pending.keys()].map((a) => `${a} ${last.get(a) ?? 'not probed'}`).join('; ');
  return { ok: false, message: `after ${Math.round(opts.timeoutMs / 1000)}s still not serving ${short(opts.fingerprint)}: ${detail}`, servedNotAfter: earliest() };
}

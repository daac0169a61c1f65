/**
 * The drift verdict as a pure function of what a check observed: per verify endpoint (a fresh
 * TLS handshake) and, where the connector can inspect its target, what the target says it
 * holds. Unit-tested as a table (test/unit/controller/drift-verdict.test.ts).
 *
 * Precedence, most actionable first: an endpoint serving another certificate (what clients
 * really get) → the target holding another → the deployed certificate installed but not what is
 * served or bound → nothing held → no answer somewhere (`Unknown`) → `Serving`. `Unknown` means
 * "could not ask": it never leads to a redeploy, so a stopped server cannot cause a storm.
 */
import { DriftVerdict, type EndpointDrift, type HeldDrift } from '../../crds/drift-status.ts';

/** What one handshake found. */
export type EndpointObservation =
  | { readonly address: string; readonly kind: 'served'; readonly fingerprint: string; readonly notAfter?: string | undefined }
  | { readonly address: string; readonly kind: 'unreachable'; readonly message: string };

/** What the connector's `inspect` reported, or why it could not. */
export type HeldObservation =
  | {
    readonly kind: 'held';
    readonly active: { readonly fingerprint: string; readonly notAfter?: string | undefined } | null;
    readonly expectedInstalled?: boolean | undefined;
    readonly message?: string | undefined;
  }
  | { readonly kind: 'failed'; readonly message: string };

export interface DriftInput {
  /** The fingerprint the target took at its last successful deploy. */
  readonly expected: string;
  readonly endpoints: readonly EndpointObservation[];
  /** Absent when the connector cannot inspect its target. */
  readonly held?: HeldObservation | undefined;
}

export interface DriftJudgement {
  readonly verdict: DriftVerdict;
  readonly message: string;
  /** For Diverged: the other certificate (what an endpoint served, else what the target holds). */
  readonly observed?: { readonly fingerprint: string; readonly notAfter?: string | undefined } | undefined;
  readonly endpoints: readonly EndpointDrift[];
  readonly held?: HeldDrift | undefined;
}

/** Verdicts a Repair policy acts on; `Unknown` and `Serving` never redeploy. */
export const ACTIONABLE_VERDICTS: ReadonlySet<string> = new Set([DriftVerdict.Diverged, DriftVerdict.InstalledNotBound, DriftVerdict.Absent]);

const short = (fp: string) => `${fp.slice(0, 12)}…`;
const withNotAfter = (fp: string, notAfter: string | undefined) => `${short(fp)}${notAfter ? ` (notAfter ${notAfter})` : ''}`;
const strip = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

function judgeHeld(expected: string, h: HeldObservation): HeldDrift {
  if (h.kind === 'failed') return { verdict: DriftVerdict.Unknown, message: h.message };
  const msg = h.message;
  if (h.active?.fingerprint === expected) return strip({ verdict: DriftVerdict.Serving, fingerprint: h.active.fingerprint, notAfter: h.active.notAfter, message: msg });
  if (h.active) {
    return strip({ verdict: h.expectedInstalled ? DriftVerdict.InstalledNotBound : DriftVerdict.Diverged, fingerprint: h.active.fingerprint, notAfter: h.active.notAfter, message: msg });
  }
  return strip({ verdict: h.expectedInstalled ? DriftVerdict.InstalledNotBound : DriftVerdict.Absent, message: msg });
}

function judgeEndpoint(expected: string, e: EndpointObservation, targetHoldsExpected: boolean): EndpointDrift {
  if (e.kind === 'unreachable') return { address: e.address, verdict: DriftVerdict.Unknown, message: e.message };
  if (e.fingerprint === expected) return strip({ address: e.address, verdict: DriftVerdict.Serving, fingerprint: e.fingerprint, notAfter: e.notAfter });
  // The target holds what we deployed, yet the endpoint serves another: installed, not bound.
  return strip({ address: e.address, verdict: targetHoldsExpected ? DriftVerdict.InstalledNotBound : DriftVerdict.Diverged, fingerprint: e.fingerprint, notAfter: e.notAfter });
}

/** The verdict for one target; `undefined` when there was nothing to observe. */
export function judgeDrift(input: DriftInput): DriftJudgement | undefined {
  const { expected } = input;
  if (input.endpoints.length === 0 && input.held === undefined) return undefined;
  const held = input.held ? judgeHeld(expected, input.held) : undefined;
  const holdsExpected = held?.verdict === DriftVerdict.Serving || held?.verdict === DriftVerdict.InstalledNotBound;
  const endpoints = input.endpoints.map((e) => judgeEndpoint(expected, e, holdsExpected));
  const base = { endpoints, ...(held ? { held } : {}) };

  const divergedAt = endpoints.find((e) => e.verdict === DriftVerdict.Diverged);
  if (divergedAt?.fingerprint) {
    return { ...base, verdict: DriftVerdict.Diverged, observed: { fingerprint: divergedAt.fingerprint, notAfter: divergedAt.notAfter }, message: `${divergedAt.address} serves ${withNotAfter(divergedAt.fingerprint, divergedAt.notAfter)}, not the deployed ${short(expected)}` };
  }
  if (held?.verdict === DriftVerdict.Diverged && held.fingerprint) {
    return { ...base, verdict: DriftVerdict.Diverged, observed: { fingerprint: held.fingerprint, notAfter: held.notAfter }, message: `the target holds ${withNotAfter(held.fingerprint, held.notAfter)}, not the deployed ${short(expected)}` };
  }
  const unbound = endpoints.find((e) => e.verdict === DriftVerdict.InstalledNotBound);
  if (unbound?.fingerprint) {
    return { ...base, verdict: DriftVerdict.InstalledNotBound, observed: { fingerprint: unbound.fingerprint, notAfter: unbound.notAfter }, message: `the target holds the deployed ${short(expected)}, but ${unbound.address} serves ${withNotAfter(unbound.fingerprint, unbound.notAfter)}` };
  }
  if (held?.verdict === DriftVerdict.InstalledNotBound) {
    return { ...base, verdict: DriftVerdict.InstalledNotBound, message: `the target holds the deployed ${short(expected)} but does not use it${held.message ? `: ${held.message}` : ''}` };
  }
  if (held?.verdict === DriftVerdict.Absent) {
    return { ...base, verdict: DriftVerdict.Absent, message: `the target holds no certificate${held.message ? `: ${held.message}` : ''}` };
  }
  const unknown = [...endpoints.filter((e) => e.verdict === DriftVerdict.Unknown).map((e) => `${e.address}: ${e.message ?? 'no answer'}`), ...(held?.verdict === DriftVerdict.Unknown ? [`inspect: ${held.message ?? 'no answer'}`] : [])];
  if (unknown.length > 0) return { ...base, verdict: DriftVerdict.Unknown, message: `no verdict: ${unknown.join('; ')}` };
  const sources = [endpoints.length > 0 ? `${endpoints.length} endpoint(s) serve` : '', held ? 'the target holds' : ''].filter(Boolean).join(' and ');
  return { ...base, verdict: DriftVerdict.Serving, message: `${sources} ${short(expected)}` };
}

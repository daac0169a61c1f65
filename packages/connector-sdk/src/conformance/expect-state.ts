/**
 * Compares what a target holds with what a credential should have put there, as a list of
 * problems (empty when it holds exactly that), so one failure message names every mismatch.
 */
import type { TestCredential } from './credentials.ts';
import type { TargetState } from './types.ts';

const short = (fp: string | null | undefined): string => (fp === null || fp === undefined ? String(fp) : `${fp.slice(0, 12)}…`);

/** Problems with `state` as the result of deploying `cred`; `label` names the situation. */
export function stateProblems(state: TargetState, cred: TestCredential, label: string): string[] {
  const want = cred.chainFingerprints[0] as string;
  const out: string[] = [];
  if (cred.deployment.fingerprint !== want) out.push(`${label}: the Deployment's fingerprint ${short(cred.deployment.fingerprint)} is not the leaf's ${short(want)}`);
  if (state.fingerprint !== want) out.push(`${label}: the target holds ${short(state.fingerprint)}, expected ${short(want)}`);
  if (state.chain !== undefined && state.chain.join() !== cred.chainFingerprints.join()) {
    out.push(`${label}: the target holds the chain [${state.chain.map(short).join(', ')}], expected [${cred.chainFingerprints.map(short).join(', ')}]`);
  }
  if (state.keyMatchesLeaf === false) out.push(`${label}: the stored private key does not belong to the stored certificate`);
  if (state.served !== undefined && state.served !== want) out.push(`${label}: the server serves ${short(state.served)}, expected ${short(want)}`);
  return out;
}


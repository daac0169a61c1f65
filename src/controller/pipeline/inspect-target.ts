/**
 * Drift observation through the one target pipeline: prepare (every policy check, the verify
 * endpoints included) → session in a READ-ONLY sandbox → `connector.inspect`, plus one fresh TLS
 * handshake per verify endpoint from the operator's host. Nothing here decides: the observations
 * go to the pure verdict (drift/verdict.ts). A target that cannot be prepared (policy narrowed,
 * spec invalid) or asked is reported as a failed observation — `Unknown`, never a repair.
 */
import { DeadlineError } from '../../core/clock.ts';
import { createSandbox, type Host, type Policy } from '@cert-deployer/connector-sdk/sandbox';
import { classifyDeployError } from '../classify-error.ts';
import type { EndpointObservation, HeldObservation } from '../drift/verdict.ts';
import { prepareTarget, type ConnectorRegistry, type TargetSpec } from './prepare-target.ts';
import { runSession, type TargetEnv } from './target-session.ts';

/** One handshake may take this long; a check is a look, not a wait for a reload. */
export const PROBE_TIMEOUT_MS = 5_000;

export interface InspectTargetInput {
  readonly registry: ConnectorRegistry;
  readonly target: TargetSpec;
  /** The fingerprint the target took at its last successful deploy. */
  readonly expected: string;
  readonly ownerId: string;
  readonly remoteId?: string | undefined;
  readonly env: TargetEnv;
  /** The host the verification probes run from (the operator's own). */
  readonly probeHost: Host;
  readonly signal: AbortSignal;
}

export interface DriftObservations {
  readonly endpoints: readonly EndpointObservation[];
  /** Absent when the connector has no `inspect`. */
  readonly held?: HeldObservation | undefined;
  /** True when the connector was called (tests count them). */
  readonly inspected: boolean;
}

/** Probes each endpoint once; an error is an observation (`unreachable`), not an exception. */
export async function probeEndpoints(endpoints: readonly { address: string; serverName?: string | undefined }[], policy: Policy, env: Pick<TargetEnv, 'clock'>, host: Host, signal: AbortSignal): Promise<EndpointObservation[]> {
  if (endpoints.length === 0) return [];
  const sandbox = createSandbox({ grant: { read: [], write: [], exec: [], dial: endpoints.map((e) => e.address) }, policy, host, clock: env.clock });
  try {
    return await Promise.all(endpoints.map(async (e): Promise<EndpointObservation> => {
      try {
        const r = await sandbox.tlsProbe({ address: e.address, serverName: e.serverName, timeoutMs: PROBE_TIMEOUT_MS, signal });
        const leaf = r.fingerprints[0];
        if (leaf === undefined) return { address: e.address, kind: 'unreachable', message: 'served no certificate' };
        return { address: e.address, kind: 'served', fingerprint: leaf, ...(r.leafNotAfter ? { notAfter: r.leafNotAfter } : {}) };
      } catch (err) {
        return { address: e.address, kind: 'unreachable', message: classifyDeployError(err, false).message };
      }
    }));
  } finally {
    await sandbox.close();
  }
}

/** Observes one target; never throws for target failures. */
export async function inspectTarget(input: InspectTargetInput): Promise<DriftObservations> {
  const endpoints = input.target.verify?.endpoints ?? [];
  const prepared = prepareTarget(input.registry, input.target, input.env.access, endpoints.map((e) => e.address));
  if (!prepared.ok) {
    return { endpoints: endpoints.map((e) => ({ address: e.address, kind: 'unreachable', message: `not probed: ${prepared.failure.reason}` })), held: { kind: 'failed', message: `${prepared.failure.reason}: ${prepared.failure.message}` }, inspected: false };
  }
  const t = prepared.target;
  // Never rejects (a failure is an observation), so it can run while inspect does.
  const probed = probeEndpoints(endpoints, t.policy, input.env, input.probeHost, input.signal)
    .catch((err: unknown) => endpoints.map((e): EndpointObservation => ({ address: e.address, kind: 'unreachable', message: classifyDeployError(err, false).message })));
  if (!t.connector.inspect) return { endpoints: await probed, inspected: false };
  let held: HeldObservation;
  try {
    const r = await runSession(t, input.env, { ownerId: input.ownerId, remoteId: input.remoteId }, input.signal,
      (runtime, call) => runtime.inspect(call, input.expected), { readOnly: true });
    held = { kind: 'held', active: r.active, ...(r.expectedInstalled !== undefined ? { expectedInstalled: r.expectedInstalled } : {}), ...(r.message ? { message: r.message } : {}) };
  } catch (err) {
    held = { kind: 'failed', message: classifyDeployError(err, err instanceof DeadlineError).message };
  }
  return { endpoints: await probed, held, inspected: true };
}

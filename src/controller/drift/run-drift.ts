/**
 * Apply-side of drift detection: runs the checks the plan made due (each through the pipeline's
 * read-only inspect and a handshake per endpoint, bounded by the shared limiter), turns each
 * observation into a status record with the pure verdict, and reports it — a Warning Event when
 * a verdict is news, a metric per check and a log line. Repairs (driftPolicy: Repair) are run
 * by the reconcile through the normal deploy path; this file only records them.
 */
import type { TargetDrift } from '../../crds/drift-status.ts';
import type { TargetStatus } from '../../crds/status.ts';
import type { CertificateDeploymentObject } from '../kube-types.ts';
import { inspectTarget } from '../pipeline/inspect-target.ts';
import type { TargetSpec } from '../pipeline/prepare-target.ts';
import type { TargetEnv } from '../pipeline/target-session.ts';
import { EventAction, EventReason } from '../reasons.ts';
import type { ReconcilerDeps } from '../reconciler-deps.ts';
import { ACTIONABLE_VERDICTS, judgeDrift } from './verdict.ts';

const strip = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** The status record of one check (repairs carried over from the previous record). */
export function driftRecord(judgement: NonNullable<ReturnType<typeof judgeDrift>>, expected: string, nowIso: string, previous: TargetDrift | undefined): TargetDrift {
  return strip({
    verdict: judgement.verdict,
    fingerprint: expected,
    checkedAt: nowIso,
    message: judgement.message.slice(0, 1024),
    observedFingerprint: judgement.observed?.fingerprint,
    observedNotAfter: judgement.observed?.notAfter,
    held: judgement.held ? strip({ ...judgement.held, message: judgement.held.message?.slice(0, 1024) }) : undefined,
    endpoints: judgement.endpoints.length > 0 ? judgement.endpoints.map((e) => strip({ ...e, message: e.message?.slice(0, 1024) })) : undefined,
    repairs: previous?.repairs,
    lastRepairAt: previous?.lastRepairAt,
  });
}

/** A verdict worth an Event: actionable, and not what the previous record already said. */
function isNews(next: TargetDrift, previous: TargetDrift | undefined): boolean {
  if (!ACTIONABLE_VERDICTS.has(next.verdict)) return false;
  return previous?.verdict !== next.verdict || previous.observedFingerprint !== next.observedFingerprint || previous.fingerprint !== next.fingerprint;
}

export interface DriftCheckInput {
  readonly obj: CertificateDeploymentObject;
  readonly names: readonly string[];
  readonly targets: readonly TargetSpec[];
  readonly env: TargetEnv;
  readonly nowIso: string;
  readonly signal: AbortSignal;
  /** Previous records to carry repairs from; defaults to the object's status. */
  readonly previous?: ReadonlyMap<string, TargetStatus>;
}

/** Checks the named settled targets; returns their new drift records (targets with nothing to observe are left out). */
export async function runDriftChecks(input: DriftCheckInput, deps: ReconcilerDeps): Promise<Map<string, TargetDrift>> {
  const { obj } = input;
  const statuses = input.previous ?? new Map((obj.status?.targets ?? []).map((t) => [t.name, t]));
  const out = new Map<string, TargetDrift>();
  const run = deps.driftLimiter ? deps.driftLimiter.run.bind(deps.driftLimiter) : <T>(f: () => Promise<T>) => f();
  await Promise.all(input.names.map(async (name) => {
    const target = input.targets.find((t) => t.name === name);
    const st = statuses.get(name);
    if (!target || !st?.fingerprint) return;
    const expected = st.fingerprint;
    const observed = await run(() => inspectTarget({
      registry: deps.registry, target, expected, ownerId: `${obj.metadata.uid}/${name}`, remoteId: st.remoteId,
      env: input.env, probeHost: deps.hosts.local, signal: input.signal,
    }));
    const judgement = judgeDrift({ expected, endpoints: observed.endpoints, held: observed.held });
    if (!judgement) return; // no endpoint to probe and a connector that cannot inspect
    const previous = st.drift && st.drift.fingerprint === expected ? st.drift : undefined;
    const record = driftRecord(judgement, expected, input.nowIso, previous);
    out.set(name, record);
    const connector = [...deps.registry.keys()].find((k) => target[k] !== undefined) ?? 'unknown';
    deps.metrics.driftCheck?.(connector, record.verdict);
    const fields = { deployment: `${obj.metadata.namespace}/${obj.metadata.name}`, target: name, connector, verdict: record.verdict, fingerprint: expected.slice(0, 12) };
    if (ACTIONABLE_VERDICTS.has(record.verdict)) deps.log?.warn({ ...fields, message: record.message }, 'drift found');
    else deps.log?.debug({ ...fields, message: record.message }, 'drift check');
    if (isNews(record, previous)) deps.events.event(obj, 'Warning', EventReason.Drifted, EventAction.Reverify, `${name}: ${record.verdict}: ${record.message}`);
  }));
  return out;
}

/** `record` after a repair attempt at `nowIso`: counted, and stamped. */
export function countRepair(record: TargetDrift, nowIso: string): TargetDrift {
  return { ...record, repairs: (record.repairs ?? 0) + 1, lastRepairAt: nowIso };
}

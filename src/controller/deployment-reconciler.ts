/**
 * Reconciles one CertificateDeployment: validate, honour suspend and the finalizer, parse the
 * Secret, then per target decide (pure) → deploy → verify, and write status only when it
 * changed. Targets run side by side and fail alone.
 */
import type { z } from 'zod';
import { connectorsByName } from '../connectors/registry.ts';
import { isInvalidCertificate, parseTlsSecret } from '../connectors/sdk/credential/index.ts';
import type { Deployment } from '../connectors/sdk/deployment.ts';
import { FINALIZER } from '../crds/names.ts';
import type { specSchema } from '../crds/spec.ts';
import type { DeploymentStatus, TargetStatus } from '../crds/status.ts';
import { decideTarget } from './decide-target.ts';
import type { CertificateDeploymentObject } from './kube-types.ts';
import { EventAction, EventReason, Reason } from './reasons.ts';
import type { ReconcilerDeps } from './reconciler-deps.ts';
import { summarizeReady } from './summarize.ts';
import { targetSpecHash } from './target-spec-hash.ts';
import { nextTargetStatus } from './target-status.ts';
import { runTarget, type TargetOutcome } from './target-runner.ts';
import { undeployTargets } from './undeploy.ts';
import { withReady } from './with-ready.ts';

type Spec = z.infer<ReturnType<typeof specSchema>>;
type Target = Spec['targets'][number] & Record<string, unknown>;

export interface ReconcileOutcome {
  readonly requeueAfterMs?: number;
  /** Connector deploy calls made (tests and metrics count them). */
  readonly invocations: number;
  readonly statusWritten: boolean;
}

/** Reconciles `obj` (the cached object for a queue key). */
export async function reconcileDeployment(obj: CertificateDeploymentObject, deps: ReconcilerDeps, signal: AbortSignal): Promise<ReconcileOutcome> {
  const now = deps.clock.now();
  const prev = obj.status ?? {};
  const gen = obj.metadata.generation;
  const finalizers = obj.metadata.finalizers ?? [];
  const write = async (status: DeploymentStatus): Promise<boolean> => {
    if (JSON.stringify(status) === JSON.stringify(prev)) return false;
    await deps.kube.patchStatus(obj, status);
    return true;
  };

  if (obj.metadata.deletionTimestamp) {
    if (!finalizers.includes(FINALIZER)) return { invocations: 0, statusWritten: false };
    await undeployTargets(obj, deps, signal);
    await deps.kube.setFinalizers(obj, finalizers.filter((f) => f !== FINALIZER));
    return { invocations: 0, statusWritten: false };
  }

  const parsed = deps.specSchema.safeParse(obj.spec);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    const written = await write(withReady(prev, gen, 'False', Reason.InvalidSpec, `invalid spec: ${msg}`, now));
    return { invocations: 0, statusWritten: written };
  }
  const spec = parsed.data as Spec;
  if (spec.suspend) {
    const written = await write(withReady(prev, gen, 'False', Reason.Suspended, 'suspend is true: no work is done', now));
    return { invocations: 0, statusWritten: written };
  }
  // The finalizer goes on before the first side effect, and only when there is cleanup to do.
  const wantFinalizer = spec.deletionPolicy === 'Delete';
  if (wantFinalizer !== finalizers.includes(FINALIZER)) {
    await deps.kube.setFinalizers(obj, wantFinalizer ? [...finalizers, FINALIZER] : finalizers.filter((f) => f !== FINALIZER));
  }

  const secret = await deps.kube.getSecret(obj.metadata.namespace, spec.secretRef.name);
  if (!secret) {
    const msg = `Secret ${obj.metadata.namespace}/${spec.secretRef.name} not found; waiting for it to appear`;
    if (prev.conditions?.find((c) => c.type === 'Ready')?.reason !== Reason.SecretNotFound) {
      deps.events.event(obj, 'Warning', EventReason.SecretNotFound, EventAction.Validate, msg);
    }
    return { invocations: 0, statusWritten: await write(withReady(prev, gen, 'False', Reason.SecretNotFound, msg, now)) };
  }
  let dep: Deployment;
  try {
    const data = Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
    dep = parseTlsSecret(data, { now: new Date(now) });
  } catch (err) {
    if (!isInvalidCertificate(err)) throw err;
    const msg = `Secret ${spec.secretRef.name}: ${err.message}`;
    if (prev.conditions?.find((c) => c.type === 'Ready')?.message !== msg) {
      deps.events.event(obj, 'Warning', EventReason.InvalidCertificate, EventAction.Validate, msg);
    }
    return { invocations: 0, statusWritten: await write(withReady(prev, gen, 'False', Reason.InvalidCertificate, msg, now)) };
  }
  deps.metrics.setExpiry(obj.metadata.namespace, obj.metadata.name, dep.notAfter.getTime() / 1000);

  const prevTargets = new Map((prev.targets ?? []).map((t) => [t.name, t]));
  const nowIso = new Date(now).toISOString();
  let requeueAfterMs: number | undefined;
  const soonest = (ms: number) => (requeueAfterMs = requeueAfterMs === undefined ? ms : Math.min(requeueAfterMs, ms));
  let invocations = 0;
  const targets = await Promise.all(
    (spec.targets as Target[]).map(async (t): Promise<TargetStatus> => {
      const previous = prevTargets.get(t.name);
      const specHash = targetSpecHash(t);
      const d = decideTarget({ fingerprint: dep.fingerprint, lastSeenFingerprint: prev.fingerprint, specHash, status: previous, now, backoff: deps.backoff });
      if (d.action === 'skip') return previous!;
      if (d.action === 'wait') {
        soonest(d.delayMs);
        return previous!;
      }
      const outcome = await deployTarget(obj, t, dep, deps, signal);
      if (outcome.invoked) invocations++;
      const next = nextTargetStatus({ name: t.name, previous, outcome, fingerprint: dep.fingerprint, lastSeenFingerprint: prev.fingerprint, generation: gen, specHash, now: nowIso });
      report(obj, t.name, outcome, previous, deps);
      if (!outcome.ok) {
        const again = decideTarget({ fingerprint: dep.fingerprint, lastSeenFingerprint: dep.fingerprint, specHash, status: next, now, backoff: deps.backoff });
        if (again.action === 'wait') soonest(again.delayMs);
      }
      return next;
    }),
  );
  const names = (spec.targets as Target[]).map((t) => t.name);
  const summary = summarizeReady(names, targets, dep.fingerprint);
  const status: DeploymentStatus = {
    ...withReady(prev, gen, summary.status, summary.reason, summary.message, now),
    fingerprint: dep.fingerprint,
    notAfter: dep.notAfter.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    targets,
  };
  return { requeueAfterMs, invocations, statusWritten: await write(status) };
}

function blockOf(t: Target): { name: string; block: unknown } | undefined {
  for (const [name] of connectorsByName) if (t[name] !== undefined) return { name, block: t[name] };
  return undefined;
}

async function deployTarget(obj: CertificateDeploymentObject, t: Target, dep: Deployment, deps: ReconcilerDeps, signal: AbortSignal): Promise<TargetOutcome> {
  const found = blockOf(t);
  const definition = found && connectorsByName.get(found.name);
  if (!found || !definition) {
    return { ok: false, reason: Reason.InvalidSpec, message: 'no registered connector block', retryable: false, invoked: false, changed: false, verified: false };
  }
  const started = deps.clock.now();
  const outcome = await runTarget({
    name: t.name,
    definition: definition as never,
    block: found.block,
    verify: t.verify,
    deployment: dep,
    context: { ownerId: `${obj.metadata.uid}/${t.name}`, remoteId: obj.status?.targets?.find((s) => s.name === t.name)?.remoteId },
    policy: deps.policy,
    hostFor: (config, s) => deps.hosts.hostFor(obj.metadata.namespace, config, s),
    readSecret: async (name) => (await deps.kube.getSecret(obj.metadata.namespace, name))?.data ?? null,
    observedHostKey: (config) => deps.hosts.observedHostKey(obj.metadata.namespace, config),
    probeHost: deps.hosts.local,
    deployTimeoutMs: deps.deployTimeoutMs,
    signal,
  });
  deps.metrics.deploy(found.name, outcome.ok ? 'success' : outcome.reason, (deps.clock.now() - started) / 1000);
  return outcome;
}

function report(obj: CertificateDeploymentObject, target: string, o: TargetOutcome, previous: TargetStatus | undefined, deps: ReconcilerDeps): void {
  if (o.ok) {
    if (o.changed || o.verified) deps.events.event(obj, 'Normal', EventReason.Deployed, EventAction.Deploy, `${target}: ${o.message}`);
    return;
  }
  if (previous && !previous.ready && previous.reason === o.reason && previous.message === o.message) return; // no repeat
  const reason = o.reason === Reason.GrantDenied ? EventReason.GrantDenied : o.reason === Reason.VerifyFailed ? EventReason.VerifyFailed : EventReason.DeployFailed;
  deps.events.event(obj, 'Warning', reason, o.reason === Reason.VerifyFailed ? EventAction.Verify : EventAction.Deploy, `${target}: ${o.message}`);
}

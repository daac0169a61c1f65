/**
 * deletionPolicy: Delete. Each target that status says took a certificate goes through the
 * one pipeline's undeploy (same policy checks as deploy). A failure throws, so the key is
 * retried with backoff and the finalizer stays until cleanup succeeds; the Event quotes only
 * classified, redacted messages.
 */
import { CertDeployerError, ErrorCode } from '../../core/errors.ts';
import type { CertificateDeploymentObject } from '../kube-types.ts';
import type { TargetSpec } from '../pipeline/prepare-target.ts';
import { undeployTarget } from '../pipeline/undeploy-target.ts';
import { EventAction, EventReason } from '../reasons.ts';
import type { ReconcilerDeps } from '../reconciler-deps.ts';
import { targetEnv } from './apply.ts';

/** Undeploys every target of `obj` that has something to remove. */
export async function undeployTargets(obj: CertificateDeploymentObject, deps: ReconcilerDeps, signal: AbortSignal): Promise<void> {
  const targets = (obj.spec as { targets?: TargetSpec[] } | undefined)?.targets ?? [];
  const status = new Map((obj.status?.targets ?? []).map((t) => [t.name, t]));
  const env = targetEnv(obj, deps);
  const failures: string[] = [];
  for (const target of targets) {
    const st = status.get(String(target.name));
    if (!st?.fingerprint && !st?.remoteId) continue;
    const out = await undeployTarget({ registry: deps.registry, target, env, signal, ownerId: `${obj.metadata.uid}/${target.name}`, remoteId: st.remoteId });
    if (out.kind === 'failed') failures.push(`${target.name}: ${out.message}`);
    else if (out.kind === 'removed') deps.events.event(obj, 'Normal', EventReason.Undeployed, EventAction.Undeploy, `${target.name}: removed what the connector created`);
  }
  if (failures.length > 0) {
    const note = `cleanup failed, finalizer kept (set deletionPolicy: Retain to release): ${failures.join('; ')}`;
    deps.events.event(obj, 'Warning', EventReason.UndeployFailed, EventAction.Undeploy, note);
    throw new CertDeployerError(ErrorCode.Connector, note, { retryable: true });
  }
  deps.metrics.forget(obj.metadata.namespace, obj.metadata.name);
}

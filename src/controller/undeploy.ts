/**
 * deletionPolicy: Delete. Calls each connector's `undeploy` (when it has one) for the targets
 * that status says took a certificate, then lets the caller remove the finalizer. A failure
 * throws, so the key is retried with backoff and the finalizer stays until cleanup succeeds.
 */
import { connectorsByName } from '../connectors/registry.ts';
import { createSandbox } from '../sandbox/checked-sandbox.ts';
import { CertDeployerError, ErrorCode } from '../sandbox/errors.ts';
import type { CertificateDeploymentObject } from './kube-types.ts';
import { grantShortfall } from './grant-shortfall.ts';
import { readSecrets } from './target-runner.ts';
import { EventAction, EventReason } from './reasons.ts';
import type { ReconcilerDeps } from './reconciler-deps.ts';

/** Undeploys every target of `obj` that has something to remove. */
export async function undeployTargets(obj: CertificateDeploymentObject, deps: ReconcilerDeps, signal: AbortSignal): Promise<void> {
  const targets = ((obj.spec as { targets?: Record<string, unknown>[] })?.targets ?? []);
  const deployed = new Set((obj.status?.targets ?? []).filter((t) => t.fingerprint || t.remoteId).map((t) => t.name));
  const failures: string[] = [];
  for (const t of targets) {
    const name = String(t.name);
    if (!deployed.has(name)) continue;
    const def = [...connectorsByName.values()].find((d) => t[d.name] !== undefined);
    if (!def) continue;
    const parsed = def.configSchema.safeParse(t[def.name]);
    if (!parsed.success) continue;
    const connector = def.create(parsed.data as never);
    if (!connector.undeploy) continue;
    const missing = grantShortfall(connector.capabilities(), deps.policy);
    if (missing.length > 0) {
      failures.push(`${name}: operator policy does not allow ${missing.join(', ')}`);
      continue;
    }
    try {
      const host = await deps.hosts.hostFor(obj.metadata.namespace, def.hostOf?.(parsed.data as never), signal);
      const sandbox = createSandbox({ grant: connector.capabilities(), policy: deps.policy, host });
      try {
        const remoteId = obj.status?.targets?.find((s) => s.name === name)?.remoteId;
        const readSecret = async (n: string) => (await deps.kube.getSecret(obj.metadata.namespace, n))?.data ?? null;
        const secrets = await readSecrets({ readSecret }, def.secretRefs?.(parsed.data as never) ?? []);
        await connector.undeploy(AbortSignal.any([signal, AbortSignal.timeout(deps.deployTimeoutMs)]), sandbox, {
          ownerId: `${obj.metadata.uid}/${name}`,
          ...(remoteId ? { remoteId } : {}),
          secrets,
          allowAmbientIdentity: deps.policy.ambientCloudIdentity === true,
        });
      } finally {
        await sandbox.close();
      }
      deps.events.event(obj, 'Normal', EventReason.Undeployed, EventAction.Undeploy, `${name}: removed what the connector created`);
    } catch (err) {
      failures.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (failures.length > 0) {
    const note = `cleanup failed, finalizer kept (set deletionPolicy: Retain to release): ${failures.join('; ')}`;
    deps.events.event(obj, 'Warning', EventReason.UndeployFailed, EventAction.Undeploy, note);
    throw new CertDeployerError(ErrorCode.Connector, note, { retryable: true });
  }
  deps.metrics.forget(obj.metadata.namespace, obj.metadata.name);
}

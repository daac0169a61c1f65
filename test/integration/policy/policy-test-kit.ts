/**
 * Shared pieces of the policy tests against the real control plane: labelled namespaces, a
 * target-status poll, and a check that a directory tree holds nothing new.
 */
import type { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually, getDeployment } from '../../support/controller-harness.ts';

export type TargetStatusView = { name: string; ready: boolean; reason?: string; message?: string; policies?: string[]; fingerprint?: string };

/** Creates a namespace with `labels` (and a random suffix); returns its name. */
export async function labelledNamespace(core: CoreV1Api, prefix: string, labels: Record<string, string> = {}): Promise<string> {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name, labels } } });
  return name;
}

/** Waits until target `target` of `name` has a status entry for the current generation whose reason matches. */
export async function targetReason(objects: CustomObjectsApi, namespace: string, name: string, target: string, want: (t: TargetStatusView) => boolean, timeoutMs = 30_000): Promise<TargetStatusView> {
  return eventually(async () => {
    const d = await getDeployment(objects, namespace, name);
    if (d.status?.observedGeneration !== d.metadata.generation) return undefined;
    const t = (d.status?.targets as TargetStatusView[] | undefined)?.find((x) => x.name === target);
    return t && want(t) ? t : undefined;
  }, timeoutMs, `${namespace}/${name} target ${target}`);
}

/** Every file below `dir` (relative paths), for "nothing was written here" checks. */
export async function filesBelow(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, rel: string) => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) await walk(join(d, e.name), join(rel, e.name));
      else out.push(join(rel, e.name));
    }
  };
  await walk(dir, '');
  return out.sort();
}

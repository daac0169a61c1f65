/**
 * Applies CRDs to a cluster and waits until each is Established, so a test (or the demo) can
 * create objects right after. Used by the global setup, the demo and the CRD tests.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiextensionsV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';

/** Creates or replaces one CRD given as plain JSON/YAML data; resolves once Established. */
export async function applyCrd(kc: KubeConfig, plain: unknown, timeoutMs = 30_000): Promise<string> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  // Written through the untyped custom-objects client: the typed CRD model serialises
  // `_default`/`xKubernetesListType` by their model names and silently drops the plain
  // `default`/`x-kubernetes-*` keys of a YAML file, which would lose defaults and list maps.
  const raw = kc.makeApiClient(CustomObjectsApi);
  const ref = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' };
  const crd = structuredClone(plain) as { metadata: { name: string; resourceVersion?: string } };
  const name = crd.metadata.name;
  try {
    const cur = (await raw.getClusterCustomObject({ ...ref, name })) as { metadata: { resourceVersion: string } };
    crd.metadata.resourceVersion = cur.metadata.resourceVersion;
    await raw.replaceClusterCustomObject({ ...ref, name, body: crd });
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
    await raw.createClusterCustomObject({ ...ref, body: crd });
  }
  const until = Date.now() + timeoutMs;
  for (;;) {
    const cur = await api.readCustomResourceDefinition({ name });
    if (cur.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return name;
    if (Date.now() > until) throw new Error(`CRD ${name} not Established after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Applies every `*.yaml` CRD in `dir`; returns their names. */
export async function applyCrds(kc: KubeConfig, dir: string): Promise<string[]> {
  const names: string[] = [];
  for (const f of (await readdir(dir)).filter((n) => n.endsWith('.yaml')).sort()) {
    names.push(await applyCrd(kc, parse(await readFile(join(dir, f), 'utf8'))));
  }
  return names;
}

/**
 * DeploymentPolicies as a platform admin would write them for tests: `unrestricted` policies for
 * namespaces whose tests predate deny-by-default (and narrow, if at all, through the --policy
 * flag as before), and an in-memory PolicySource for tests that build ReconcilerDeps by hand.
 */
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { GROUP, POLICY_KIND, POLICY_PLURAL, VERSION } from '../../src/crds/names.ts';
import type { PolicySource } from '../../src/controller/policy/policy-access.ts';
import { parsePolicies, type DeploymentPolicyObject } from '../../src/controller/policy/policy-object.ts';
import type { PolicySpec } from '../../src/crds/policy-spec.ts';

/** The spec of a policy that grants everything to `namespaces` (explicitly: `unrestricted: true`). */
export const allowAllSpec = (namespaces: readonly string[]): Partial<PolicySpec> => ({ namespaces: [...namespaces], unrestricted: true });

/** An in-memory source holding the given policy specs (by name) and namespace labels. */
export function staticPolicySource(specs: Record<string, unknown>, labels: Record<string, Record<string, string>> = {}): PolicySource {
  const policies: DeploymentPolicyObject[] = parsePolicies(Object.entries(specs).map(([name, spec]) => ({ metadata: { name }, spec })));
  return { policies: () => policies, namespaceLabels: (n) => labels[n] };
}

/** A source whose one policy grants every namespace everything (for tests of other concerns). */
export const unrestrictedSource = (): PolicySource => staticPolicySource({ 'test-allow-all': { namespaceSelector: {}, unrestricted: true } });

/** Creates or replaces a cluster-scoped DeploymentPolicy (as a platform admin would). */
export async function putPolicy(objects: CustomObjectsApi, name: string, spec: Record<string, unknown>): Promise<void> {
  const ref = { group: GROUP, version: VERSION, plural: POLICY_PLURAL };
  const body = { apiVersion: `${GROUP}/${VERSION}`, kind: POLICY_KIND, metadata: { name }, spec };
  try {
    const cur = (await objects.getClusterCustomObject({ ...ref, name })) as { metadata: { resourceVersion: string } };
    await objects.replaceClusterCustomObject({ ...ref, name, body: { ...body, metadata: { name, resourceVersion: cur.metadata.resourceVersion } } });
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
    await objects.createClusterCustomObject({ ...ref, body });
  }
}

/** Deletes a DeploymentPolicy if it exists. */
export async function deletePolicy(objects: CustomObjectsApi, name: string): Promise<void> {
  try {
    await objects.deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: POLICY_PLURAL, name });
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
  }
}

/** Writes `test-allow-<namespace>`: an explicit `unrestricted: true` policy for one namespace. */
export async function allowAll(objects: CustomObjectsApi, namespace: string): Promise<void> {
  await putPolicy(objects, `test-allow-${namespace}`, allowAllSpec([namespace]));
}

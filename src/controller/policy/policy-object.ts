/**
 * DeploymentPolicies as the controller holds them: name and validated spec. A policy that does
 * not parse (an older or hand-edited object the apiserver let through) grants nothing: failing
 * closed is the only safe reading of a grant we cannot understand.
 */
import { policySpec, type PolicySpec } from '../../crds/policy-spec.ts';

export interface DeploymentPolicyObject {
  readonly metadata: { readonly name: string };
  readonly spec: PolicySpec;
}

/** A namespace as policy selection sees it: its name and labels. */
export interface NamespaceFacts {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Validates raw objects from the API; invalid ones are dropped (and so grant nothing). */
export function parsePolicies(raw: readonly { metadata?: { name?: string }; spec?: unknown }[]): DeploymentPolicyObject[] {
  const out: DeploymentPolicyObject[] = [];
  for (const r of raw) {
    const name = r.metadata?.name;
    const spec = policySpec.safeParse(r.spec);
    if (name && spec.success) out.push({ metadata: { name }, spec: spec.data });
  }
  return out.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

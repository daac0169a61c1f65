/**
 * What the target pipeline knows about policy for one namespace: the namespace (name, labels),
 * every DeploymentPolicy the controller's informer holds, and the `--policy` flag as the upper
 * bound. A snapshot, taken once per reconcile, so every target of one reconcile is judged by the
 * same policies.
 */
import type { Policy } from '@cert-deployer/connector-sdk/sandbox';
import type { DeploymentPolicyObject, NamespaceFacts } from './policy-object.ts';

export interface PolicyAccess {
  readonly namespace: NamespaceFacts;
  readonly policies: readonly DeploymentPolicyObject[];
  /** The `--policy` flag: caps whatever the policies grant (undefined: no cap). */
  readonly bound?: Policy | undefined;
}

/** Where the controller reads policies and namespace labels from (its informers). */
export interface PolicySource {
  policies(): readonly DeploymentPolicyObject[];
  /** Labels of a namespace; undefined when unknown (then only selection by name can match). */
  namespaceLabels(name: string): Readonly<Record<string, string>> | undefined;
}

/** The snapshot for `namespace`. */
export function policyAccess(source: PolicySource, namespace: string, bound: Policy | undefined): PolicyAccess {
  return { namespace: { name: namespace, labels: source.namespaceLabels(namespace) ?? {} }, policies: source.policies(), bound };
}

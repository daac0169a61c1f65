/**
 * Which DeploymentPolicies select a namespace: by explicit name, or by a metav1.LabelSelector
 * with the apimachinery semantics (matchLabels AND every matchExpression; an empty selector
 * matches everything). Pure, so the table of selector cases is a unit test.
 */
import type { LabelSelector } from '../../crds/policy-spec.ts';
import type { DeploymentPolicyObject, NamespaceFacts } from './policy-object.ts';

/** True when `labels` satisfy `selector`. Unknown operators match nothing (fail closed). */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In': if (!has || !values.includes(labels[e.key]!)) return false; break;
      case 'NotIn': if (has && values.includes(labels[e.key]!)) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

/** True when `policy` applies to `namespace` (names OR selector). */
export function policySelects(policy: DeploymentPolicyObject, namespace: NamespaceFacts): boolean {
  if (policy.spec.namespaces?.includes(namespace.name)) return true;
  return policy.spec.namespaceSelector !== undefined && selectorMatches(policy.spec.namespaceSelector, namespace.labels);
}

/** The policies that select `namespace`, in name order. */
export function selectingPolicies(policies: readonly DeploymentPolicyObject[], namespace: NamespaceFacts): DeploymentPolicyObject[] {
  return policies.filter((p) => policySelects(p, namespace));
}

/**
 * Assembles the DeploymentPolicy CustomResourceDefinition from the zod schema. Pure, like
 * `crd.ts`: the generator writes it to deploy/crds, the tests compare the file with a fresh build.
 */
import { CATEGORIES, GROUP, POLICY_CRD_NAME, POLICY_KIND, POLICY_LIST_KIND, POLICY_PLURAL, POLICY_SHORT_NAMES, POLICY_SINGULAR, VERSION } from './names.ts';
import { toStructuralSchema, type JsonSchema } from './openapi.ts';
import { policySpec } from './policy-spec.ts';

/** The cluster-scoped DeploymentPolicy CRD (no status: the controller only reads policies). */
export function buildPolicyCrd(): JsonSchema {
  const spec = toStructuralSchema(policySpec);
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: POLICY_CRD_NAME, labels: { 'app.kubernetes.io/name': 'cert-deployer' } },
    spec: {
      group: GROUP,
      names: { kind: POLICY_KIND, listKind: POLICY_LIST_KIND, plural: POLICY_PLURAL, singular: POLICY_SINGULAR, shortNames: [...POLICY_SHORT_NAMES], categories: [...CATEGORIES] },
      scope: 'Cluster',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          additionalPrinterColumns: [
            { name: 'Namespaces', type: 'string', jsonPath: '.spec.namespaces' },
            { name: 'Unrestricted', type: 'boolean', jsonPath: '.spec.unrestricted', priority: 1 },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              description: 'DeploymentPolicy, written by a platform admin, grants the CertificateDeployments in the namespaces it selects what they may touch: hosts, path roots and commands on them, dial addresses, credential Secrets, ambient cloud identity. Deny by default: a target no policy allows gets PolicyDenied. Tenants cannot write policies (cluster-scoped; the built-in admin and edit roles do not include them).',
              type: 'object',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
                kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
                metadata: { type: 'object' },
                spec: { ...spec, description: 'Which namespaces this policy selects and what it grants them. The grants of every policy selecting a namespace add up.' },
              },
            },
          },
        },
      ],
    },
  };
}

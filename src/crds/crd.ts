/**
 * Assembles the CustomResourceDefinition object from the zod schemas. Pure: the generator
 * serialises it to deploy/crds, the tests compare that file with a fresh build.
 */
import type { z } from 'zod';
import { CATEGORIES, CRD_NAME, GROUP, KIND, LIST_KIND, PLURAL, SHORT_NAMES, SINGULAR, VERSION } from './names.ts';
import { toStructuralSchema, type JsonSchema } from './openapi.ts';
import { specSchema } from './spec.ts';
import { status } from './status.ts';

const READY = '.status.conditions[?(@.type=="Ready")]';

/**
 * Builds the CRD for the given connector blocks (the registry's config schemas). `group`
 * exists for tests that install a variant beside the real CRD; production uses the default.
 */
export function buildCrd(blocks: Record<string, z.ZodType>, group: string = GROUP): JsonSchema {
  const spec = toStructuralSchema(specSchema(blocks));
  const st = toStructuralSchema(status);
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: group === GROUP ? CRD_NAME : `${PLURAL}.${group}`, labels: { 'app.kubernetes.io/name': 'cert-deployer' } },
    spec: {
      group,
      names: { kind: KIND, listKind: LIST_KIND, plural: PLURAL, singular: SINGULAR, shortNames: [...SHORT_NAMES], categories: [...CATEGORIES] },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            // cert-manager's Certificate columns: Ready, Secret, then the Ready message in wide output.
            { name: 'Ready', type: 'string', jsonPath: `${READY}.status` },
            { name: 'Secret', type: 'string', jsonPath: '.spec.secretRef.name' },
            { name: 'Reason', type: 'string', jsonPath: `${READY}.reason` },
            { name: 'Message', type: 'string', jsonPath: `${READY}.message`, priority: 1 },
            { name: 'Fingerprint', type: 'string', jsonPath: '.status.fingerprint', priority: 1 },
            { name: 'Not After', type: 'string', jsonPath: '.status.notAfter', priority: 1 }, // string: kubectl prints future dates as <invalid>
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              description: 'CertificateDeployment deploys the TLS certificate in a Secret to targets outside the cluster and proves they serve it.',
              type: 'object',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
                kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
                metadata: { type: 'object' },
                spec: { ...spec, description: 'Desired state: which Secret goes to which targets.' },
                status: { ...st, description: 'Observed state, written by the controller.' },
              },
            },
          },
        },
      ],
    },
  };
}

/**
 * Schema atoms shared by spec and status. Each carries a description because the generated
 * CRD is what `kubectl explain` shows users.
 */
import type { Condition } from '../core/conditions.ts';
import { z } from 'zod';

/** RFC 1123 label: target names, used as list-map keys and in messages. */
export const dnsLabel = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);

/** RFC 1123 subdomain: names of Kubernetes objects such as Secrets. */
export const dnsSubdomain = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/);

/** A host name (any case) for SNI and addresses. */
export const hostName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*$/);

/**
 * `host:port` (IPv6 in brackets). Defined with the connector config atoms, because connector
 * blocks (f5BigIp's address) and the spec's verify endpoints must spell an address the same way.
 */
export { hostPort } from '@cert-deployer/connector-sdk';

/** A reference to an object in the same namespace. */
export const localObjectReference = z.object({
  name: dnsSubdomain.describe('Name of the object in the same namespace.'),
});

/** Lowercase hex SHA-256 of a certificate's DER encoding. */
export const fingerprint = z.string().regex(/^[0-9a-f]{64}$/);

/** RFC 3339 time as Kubernetes writes it. */
export const timestamp = z.iso.datetime({ offset: true });

/** metav1.Condition, with the apimachinery validation rules. */
export const condition = z.object({
  type: z
    .string()
    .max(316)
    .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/)
    .describe('Type of condition in CamelCase, e.g. Ready.'),
  status: z.enum(['True', 'False', 'Unknown']).describe('Status of the condition: True, False or Unknown.'),
  observedGeneration: z.int().min(0).optional().describe('The .metadata.generation the condition was set from.'),
  lastTransitionTime: timestamp.describe('When the condition last changed from one status to another.'),
  reason: z
    .string()
    .min(1)
    .max(1024)
    .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/)
    .describe('Machine-readable CamelCase reason for the last transition.'),
  message: z.string().max(32768).describe('Human-readable message about the transition. Never contains key material.'),
});
/**
 * Compile-time proof that the schema and the one Condition type (`src/core/conditions.ts`)
 * describe the same object; the type itself lives in core, where the helpers are.
 */
export type ConditionSchemaMatchesCore = z.infer<typeof condition> extends Condition ? (Condition extends z.infer<typeof condition> ? true : never) : never;
const _conditionShapesAgree: ConditionSchemaMatchesCore = true; void _conditionShapesAgree;

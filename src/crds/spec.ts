/**
 * The CertificateDeployment spec, in zod: the single source of truth for the CRD schema
 * (generated), the controller's validation, and the TypeScript types. Connector blocks are
 * passed in, so this file stays pure schema and a new connector never edits it.
 */
import { z } from 'zod';
import { dnsLabel, hostName, hostPort, localObjectReference } from './common.ts';

export const MAX_TARGETS = 32;
export const MAX_VERIFY_ENDPOINTS = 8;

export const verifyEndpoint = z.object({
  address: hostPort.describe('host:port to open a TLS connection to (IPv6 in brackets).'),
  serverName: hostName.optional().describe('SNI server name to send; defaults to the host of address.'),
});

export const verify = z.object({
  endpoints: z
    .array(verifyEndpoint)
    .min(1)
    .max(MAX_VERIFY_ENDPOINTS)
    .describe('Endpoints that must serve the new certificate (checked by a fresh TLS handshake) before the target counts as ready.'),
  timeoutSeconds: z
    .int()
    .min(1)
    .max(900)
    .default(60)
    .describe('How long to keep retrying the handshake until the endpoints serve the new fingerprint.'),
});

/**
 * Builds the target schema from the connector blocks: each block is optional, and a CEL rule
 * (plus the same rule in zod) requires exactly one per target.
 */
export function targetSchema<B extends Record<string, z.ZodType>>(blocks: B) {
  const names = Object.keys(blocks);
  const optionalBlocks = Object.fromEntries(Object.entries(blocks).map(([k, v]) => [k, v.optional()]));
  const rule = names.length === 0 ? 'false' : `[${names.map((n) => `has(self.${n})`).join(', ')}].exists_one(x, x)`;
  const message = `exactly one connector block must be set: one of ${names.join(', ')}`;
  return z
    .object({
      name: dnsLabel.describe('Name of the target: a DNS label, unique within the deployment.'),
      ...optionalBlocks,
      verify: verify.optional().describe('Proof that the target really serves the new certificate.'),
    })
    .refine((t) => names.filter((n) => (t as Record<string, unknown>)[n] !== undefined).length === 1, message)
    .meta({ 'x-kubernetes-validations': [{ rule, message }] });
}

/** Builds the spec schema around the given connector blocks. */
export function specSchema<B extends Record<string, z.ZodType>>(blocks: B) {
  return z.object({
    secretRef: localObjectReference.describe(
      'The kubernetes.io/tls Secret in this namespace holding tls.crt, tls.key and optionally ca.crt (cert-manager writes it).',
    ),
    targets: z
      .array(targetSchema(blocks))
      .min(1)
      .max(MAX_TARGETS)
      .refine((ts) => new Set(ts.map((t) => t.name)).size === ts.length, 'target names must be unique')
      .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] })
      .describe('Where the certificate goes. Each target has exactly one connector block.'),
    deletionPolicy: z
      .enum(['Retain', 'Delete'])
      .default('Retain')
      .describe('Retain leaves deployed certificates in place on deletion; Delete removes what the connectors created.'),
    suspend: z.boolean().default(false).describe('Stops all work on this deployment while true.'),
    mode: z
      .enum(['Apply', 'Plan'])
      .default('Apply')
      .describe("Plan: each target's connector reads the target under a sandbox that refuses every change and status shows the actions a deploy would take (status.targets[].plan); nothing is written. Apply (default): deploy. Switching back to Apply deploys; see docs/plan.md."),
  });
}

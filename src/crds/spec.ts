/**
 * The CertificateDeployment spec, in zod: the single source of truth for the CRD schema
 * (generated), the controller's validation, and the TypeScript types. Connector blocks are
 * passed in, so this file stays pure schema and a new connector never edits it.
 */
import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from '../core/duration.ts';
import { dnsLabel, hostName, hostPort, localObjectReference } from './common.ts';
import { PLUGIN_BLOCK, pluginBlock } from './plugin-block.ts';
import { rollout, withRolloutRules } from './rollout.ts';

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

/** Shortest re-verification interval: a probe every few seconds would be load, not assurance. */
export const MIN_VERIFY_INTERVAL = '10s';
/** Longest: a week; longer and drift is found by users first. */
export const MAX_VERIFY_INTERVAL = '168h';
export const DEFAULT_VERIFY_INTERVAL = '1h';

const intervalRule = `self == '0s' || (duration(self) >= duration('${MIN_VERIFY_INTERVAL}') && duration(self) <= duration('${MAX_VERIFY_INTERVAL}'))`;
const intervalMessage = `interval must be 0s (off) or between ${MIN_VERIFY_INTERVAL} and ${MAX_VERIFY_INTERVAL}`;

/** Deployment-wide re-verification of Ready targets (drift detection). */
export const deploymentVerify = z.object({
  interval: z
    .string()
    .min(2)
    .max(16)
    .regex(DURATION_PATTERN)
    .refine((v) => {
      const ms = parseDuration(v);
      return ms === 0 || (ms !== undefined && ms >= parseDuration(MIN_VERIFY_INTERVAL)! && ms <= parseDuration(MAX_VERIFY_INTERVAL)!);
    }, intervalMessage)
    .default(DEFAULT_VERIFY_INTERVAL)
    .meta({ 'x-kubernetes-validations': [{ rule: intervalRule, message: intervalMessage }] })
    .describe(`How often Ready targets are checked again (verify endpoints by a fresh handshake; the target itself where its connector can inspect it), e.g. 1h, 30m, 1h30m; 0s turns checks off. Each target gets a fixed offset within the interval, so many deployments do not probe at once. Default ${DEFAULT_VERIFY_INTERVAL}.`),
});

/**
 * Builds the target schema from the connector blocks (the registered ones plus `plugin`): each
 * block is optional, and a CEL rule (plus the same rule in zod) requires exactly one per target.
 */
export function targetSchema<B extends Record<string, z.ZodType>>(registered: B) {
  // The plugin block is there whatever is registered: a plugin is not compiled in.
  const blocks: Record<string, z.ZodType> = { ...registered, [PLUGIN_BLOCK]: pluginBlock };
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

/** The spec's fields around the given connector blocks (see {@link specSchema}). */
function specFields<B extends Record<string, z.ZodType>>(blocks: B) {
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
    rollout: rollout.optional().describe('Progressive rollout: a new certificate goes to the targets in ordered waves, each wave deployed and verified before the next starts. Absent: every target takes it at once.'),
    deletionPolicy: z
      .enum(['Retain', 'Delete'])
      .default('Retain')
      .describe('Retain leaves deployed certificates in place on deletion; Delete removes what the connectors created.'),
    suspend: z.boolean().default(false).describe('Stops all work on this deployment while true.'),
    verify: deploymentVerify.optional().describe('Periodic re-verification of Ready targets (drift detection).'),
    driftPolicy: z
      .enum(['Report', 'Repair'])
      .default('Report')
      .describe('What a drift check that finds another certificate (Diverged, InstalledNotBound, Absent) does: Report sets the Drifted condition, a Warning Event and a metric; Repair also redeploys through the normal path. Unknown (unreachable) never redeploys.'),
    mode: z
      .enum(['Apply', 'Plan'])
      .default('Apply')
      .describe("Plan: each target's connector reads the target under a sandbox that refuses every change and status shows the actions a deploy would take (status.targets[].plan); nothing is written. Apply (default): deploy. Switching back to Apply deploys; see docs/plan.md."),
  });
}

/** Builds the spec schema around the given connector blocks, with the rules across its fields. */
export function specSchema<B extends Record<string, z.ZodType>>(blocks: B) {
  return withRolloutRules(specFields(blocks));
}

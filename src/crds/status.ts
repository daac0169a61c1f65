/**
 * The CertificateDeployment status: written only by the controller through the status
 * subresource. Per-target detail lets a failing target be seen (and retried) on its own.
 */
import { rolloutStatus } from './rollout-status.ts';
import { z } from 'zod';
import { condition, dnsLabel, fingerprint, timestamp } from './common.ts';
import { targetDrift } from './drift-status.ts';

/** One planned action (the SDK's plan vocabulary, see packages/connector-sdk/src/plan.ts), as status stores it. */
export const plannedAction = z.object({
  kind: z.enum(['writeFile', 'exec', 'http', 'send', 'import', 'unpredictable']).describe('What the deploy would do.'),
  path: z.string().max(4096).optional().describe('writeFile: the file.'),
  material: z.enum(['chain', 'certificate', 'ca', 'privateKey', 'combined', 'pfx']).optional().describe('writeFile: which material goes there (never the material itself).'),
  mode: z.int().min(0).max(0o7777).optional().describe('writeFile: the permission bits.'),
  argv: z.array(z.string().max(4096)).max(64).optional().describe('exec: the exact argv.'),
  method: z.string().max(16).optional().describe('http: the method.'),
  url: z.string().max(4096).optional().describe('http: the URL or API operation.'),
  address: z.string().max(1024).optional().describe('send: the socket address.'),
  what: z.string().max(1024).optional().describe('send: the command; unpredictable: what cannot be predicted.'),
  into: z.string().max(2048).optional().describe('import: the remote object (ARN, vault certificate, object name), or that a new one is created.'),
  resource: z.string().max(2048).optional().describe('http/import: the remote object or operation.'),
  why: z.string().max(1024).optional().describe('unpredictable: why the plan cannot know.'),
});

/** The plan of a target in `mode: Plan`, and what it was computed for. */
export const targetPlan = z.object({
  fingerprint: fingerprint.describe('The certificate this plan is for.'),
  specHash: z.string().max(64).describe("The target's spec hash this plan is for: switching to Apply deploys exactly this plan only while both still match."),
  plannedAt: timestamp.describe('When the plan was computed.'),
  actions: z.array(plannedAction).max(64).describe('What a deploy would do, in order; empty when the target already holds the certificate.'),
});
export type TargetPlan = z.infer<typeof targetPlan>;

export const targetStatus = z.object({
  name: dnsLabel.describe('Name of the target this entry describes.'),
  ready: z.boolean().describe('True when the target holds the current certificate (and serves it, where verification is asked).'),
  fingerprint: fingerprint.optional().describe('Fingerprint of the last certificate this target took successfully.'),
  attemptedFingerprint: fingerprint.optional().describe('Set while the last attempt failed: the fingerprint it tried to deploy. A failure for an older certificate does not halt the rollout of a newer one.'),
  observedGeneration: z.int().min(0).optional().describe('The .metadata.generation of the spec this result was reached for.'),
  specHash: z.string().max(64).optional().describe("Hash of this target's spec when it was last acted on: changing one target redeploys only that target."),
  deployedAt: timestamp.optional().describe('When the target last took a certificate.'),
  verifiedAt: timestamp.optional().describe('When a TLS handshake last proved the endpoints serve that certificate.'),
  lastAttemptAt: timestamp.optional().describe('When the last deploy attempt ended.'),
  remoteId: z.string().max(2048).optional().describe('Identifier of the remote object the connector manages (ARN, Key Vault id, object name).'),
  attempts: z.int().min(0).max(2147483647).optional().describe('Failed attempts since the last success; reset on success.'),
  policies: z
    .array(z.string().max(253))
    .max(32)
    .optional()
    .describe('Names of the DeploymentPolicies whose grants this target used on its last attempt (the policies that select the namespace and allow this host).'),
  reason: z.string().max(1024).optional().describe('CamelCase reason of the last result, e.g. Deployed, DeployFailed, PolicyDenied.'),
  message: z.string().max(4096).optional().describe('Human-readable result of the last attempt. Never contains key material.'),
  plugin: z
    .object({
      name: z.string().max(63).describe('The plugin\'s manifest name.'),
      version: z.string().max(64).describe('The plugin\'s manifest version.'),
      sha256: z.string().max(64).describe('SHA-256 of the plugin file the operator loaded (what a DeploymentPolicy must pin).'),
    })
    .optional()
    .describe('For a plugin target: the plugin the operator loaded (or refused) on the last attempt.'),
  servedNotAfter: timestamp.optional().describe('Expiry of the certificate the verify endpoints served at the last verification (the earliest, when several): what clients really get, which can differ from the Secret.'),
  drift: targetDrift.optional().describe('The last periodic re-verification of this Ready target (spec.verify.interval): the verdict and what was seen.'),
  plan: targetPlan.optional().describe('mode: Plan only: what a deploy of the current certificate would do (reason Planned). Dropped when the target is next deployed.'),
});
export type TargetStatus = z.infer<typeof targetStatus>;

export const status = z.object({
  observedGeneration: z.int().min(0).optional().describe('The .metadata.generation the controller last acted on.'),
  fingerprint: fingerprint.optional().describe('Lowercase hex SHA-256 of the DER of the leaf certificate now in the Secret.'),
  notAfter: timestamp.optional().describe('Expiry of the certificate now in the Secret.'),
  secretResourceVersion: z.string().max(64).optional().describe('resourceVersion of the Secret the last plan read: while the Secret is unchanged the controller does not read it again.'),
  redeployRequest: z.string().max(128).optional().describe('The certdeployer.io/redeploy-at annotation value last acted on; a request runs once.'),
  rollout: rolloutStatus.optional().describe('Where the progressive rollout of the current certificate stands (spec.rollout).'),
  conditions: z
    .array(condition)
    .max(16)
    .optional()
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] })
    .describe('Ready is True only when every target has the current certificate and serves it where verification is asked.'),
  targets: z
    .array(targetStatus)
    .max(32)
    .optional()
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] })
    .describe('Per-target results.'),
});
export type DeploymentStatus = z.infer<typeof status>;

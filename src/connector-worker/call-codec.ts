/**
 * What a connector call looks like on the worker channel, and the one place key material is
 * encoded for it. A `SecretValue` prints, serialises and inspects as `[REDACTED]`, so it cannot
 * cross by accident; it crosses here on purpose, as `{ secret: string }`, only in a call going
 * TO the worker (toward the target), and is wrapped again as a `SecretValue` on arrival. Results
 * coming back carry no key material (`DeployResult` is an id and a message). Both directions
 * are validated with zod.
 */
import { z } from 'zod';
import { SecretValue, type DeployContext, type DeployResult, type Deployment, type InspectResult, type PlanResult } from '@cert-deployer/connector-sdk';

/** One call of a connector: the operation, the registered block name and its validated config. */
export interface ConnectorCall {
  readonly op: 'deploy' | 'undeploy' | 'inspect' | 'plan';
  readonly connector: string;
  readonly config: unknown;
  readonly deployment?: Deployment | undefined;
  readonly context: DeployContext;
  /** For `inspect`: the fingerprint the operator last deployed to the target (public). */
  readonly fingerprint?: string | undefined;
}

const secret = z.object({ secret: z.string() }).strict();
const deploymentWire = z.object({
  fingerprint: z.string(),
  certificatePem: z.string(),
  chainPem: z.array(z.string()),
  privateKey: secret,
  keyAlgorithm: z.enum(['rsa', 'ecdsa-p256', 'ecdsa-p384', 'ed25519']),
  notBefore: z.date(),
  notAfter: z.date(),
  dnsNames: z.array(z.string()),
}).strict();
const contextWire = z.object({
  ownerId: z.string(),
  remoteId: z.string().optional(),
  secrets: z.array(z.tuple([z.string(), z.record(z.string(), secret)])).optional(),
  allowAmbientIdentity: z.boolean().optional(),
}).strict();
export const callWireSchema = z.object({
  op: z.enum(['deploy', 'undeploy', 'inspect', 'plan']),
  connector: z.string().min(1),
  config: z.unknown(),
  deployment: deploymentWire.optional(),
  context: contextWire,
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/).optional(),
}).strict();
const heldWire = z.object({ fingerprint: z.string().regex(/^[0-9a-f]{64}$/), notAfter: z.string().optional() }).strict();
/** What an inspect returns: public facts of a certificate, never key material. */
export const inspectResultSchema = z.object({ active: heldWire.nullable(), expectedInstalled: z.boolean().optional(), message: z.string().optional() }).strict();
export const deployResultSchema = z.object({ changed: z.boolean(), remoteId: z.string().optional(), message: z.string().optional() }).strict();

/** A plan is names, paths, argv and ids (plan.ts's vocabulary), never bytes: validated as exactly that. */
const planActionWire = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('writeFile'), path: z.string(), material: z.enum(['chain', 'certificate', 'ca', 'privateKey', 'combined', 'pfx']), mode: z.number().int().optional() }).strict(),
  z.object({ kind: z.literal('exec'), argv: z.array(z.string()) }).strict(),
  z.object({ kind: z.literal('http'), method: z.string(), url: z.string(), resource: z.string().optional() }).strict(),
  z.object({ kind: z.literal('send'), address: z.string(), what: z.string() }).strict(),
  z.object({ kind: z.literal('import'), into: z.string(), resource: z.string().optional() }).strict(),
  z.object({ kind: z.literal('unpredictable'), what: z.string(), why: z.string() }).strict(),
]);
export const planResultSchema = z.object({ actions: z.array(planActionWire), summary: z.string() }).strict();

const wrap = (s: SecretValue): { secret: string } => ({ secret: s.reveal() });

/** Encodes a call for the worker (the one place `reveal()` runs for the channel). */
export function encodeCall(call: ConnectorCall): z.input<typeof callWireSchema> {
  const d = call.deployment;
  const c = call.context;
  return {
    op: call.op,
    connector: call.connector,
    config: call.config,
    ...(call.fingerprint !== undefined ? { fingerprint: call.fingerprint } : {}),
    ...(d ? { deployment: { fingerprint: d.fingerprint, certificatePem: d.certificatePem, chainPem: [...d.chainPem], privateKey: wrap(d.privateKey), keyAlgorithm: d.keyAlgorithm, notBefore: d.notBefore, notAfter: d.notAfter, dnsNames: [...d.dnsNames] } } : {}),
    context: {
      ownerId: c.ownerId,
      ...(c.remoteId !== undefined ? { remoteId: c.remoteId } : {}),
      ...(c.allowAmbientIdentity !== undefined ? { allowAmbientIdentity: c.allowAmbientIdentity } : {}),
      ...(c.secrets ? { secrets: [...c.secrets].map(([name, data]): [string, Record<string, { secret: string }>] => [name, Object.fromEntries(Object.entries(data).map(([k, v]) => [k, wrap(v)]))]) } : {}),
    },
  };
}

/** Decodes a call in the worker, wrapping key material again so the connector gets what it gets in-process. */
export function decodeCall(raw: unknown): ConnectorCall {
  const w = callWireSchema.parse(raw);
  const d = w.deployment;
  return {
    op: w.op,
    connector: w.connector,
    config: w.config,
    deployment: d ? { ...d, privateKey: new SecretValue(d.privateKey.secret) } : undefined,
    ...(w.fingerprint !== undefined ? { fingerprint: w.fingerprint } : {}),
    context: {
      ownerId: w.context.ownerId,
      ...(w.context.remoteId !== undefined ? { remoteId: w.context.remoteId } : {}),
      ...(w.context.allowAmbientIdentity !== undefined ? { allowAmbientIdentity: w.context.allowAmbientIdentity } : {}),
      ...(w.context.secrets ? { secrets: new Map(w.context.secrets.map(([name, data]) => [name, Object.fromEntries(Object.entries(data).map(([k, v]) => [k, new SecretValue(v.secret)]))])) } : {}),
    },
  };
}

/** Validates what the worker says a deploy returned (plain data: an id and a message, never a key). */
export function decodeDeployResult(raw: unknown): DeployResult {
  return deployResultSchema.parse(raw);
}

/** Validates what the worker says an inspect found (a fingerprint and dates, never a key). */
export function decodeInspectResult(raw: unknown): InspectResult {
  return inspectResultSchema.parse(raw);
}

/** Validates what the worker says a plan returned. */
export function decodePlanResult(raw: unknown): PlanResult {
  return planResultSchema.parse(raw);
}

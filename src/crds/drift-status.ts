/**
 * What a drift check found for one target, as status records it: a verdict from a small fixed
 * vocabulary per endpoint and per target, what was seen instead (fingerprint and notAfter) and
 * the repairs made. Kept in its own object under `status.targets[].drift`, so other per-target
 * additions (plan, rollout) sit beside it without sharing fields.
 */
import { z } from 'zod';
import { fingerprint, hostPort, timestamp } from './common.ts';

/**
 * The verdicts, as constants: users alert on them, so they are API.
 * - `Serving`: the target holds and serves the deployed fingerprint.
 * - `Diverged`: it serves (or holds) another certificate; status names it.
 * - `InstalledNotBound`: the target holds the deployed certificate but does not serve/use it.
 * - `Absent`: the target holds no certificate where one was deployed.
 * - `Unknown`: it could not be asked (unreachable, denied, failed): no verdict, never a repair.
 */
export const DriftVerdict = {
  Serving: 'Serving',
  Diverged: 'Diverged',
  InstalledNotBound: 'InstalledNotBound',
  Absent: 'Absent',
  Unknown: 'Unknown',
} as const;
export type DriftVerdict = (typeof DriftVerdict)[keyof typeof DriftVerdict];

const verdict = z.enum([DriftVerdict.Serving, DriftVerdict.Diverged, DriftVerdict.InstalledNotBound, DriftVerdict.Absent, DriftVerdict.Unknown]);
const message = z.string().max(1024);

export const endpointDrift = z.object({
  address: hostPort.describe('The verify endpoint probed (host:port).'),
  verdict: verdict.describe('Serving, Diverged, InstalledNotBound or Unknown (unreachable).'),
  fingerprint: fingerprint.optional().describe('Fingerprint of the leaf the endpoint served.'),
  notAfter: timestamp.optional().describe('notAfter of the leaf the endpoint served.'),
  message: message.optional().describe('Why there is no verdict (the probe error), or what was seen.'),
});

export const heldDrift = z.object({
  verdict: verdict.describe('What the target itself says it holds, read by the connector without changing anything.'),
  fingerprint: fingerprint.optional().describe('Fingerprint of the certificate the target uses (file contents, ACM certificate, bound object).'),
  notAfter: timestamp.optional().describe('notAfter of that certificate.'),
  message: message.optional().describe('What the connector read, or why it could not.'),
});

export const targetDrift = z.object({
  verdict: verdict.describe('Serving, Diverged, InstalledNotBound, Absent, or Unknown (no verdict: the target or endpoints could not be asked).'),
  fingerprint: fingerprint.describe('The deployed fingerprint this check compared against.'),
  checkedAt: timestamp.describe('When the check ran.'),
  message: message.describe('One line: what was found.'),
  observedFingerprint: fingerprint.optional().describe('For Diverged: the other certificate found instead.'),
  observedNotAfter: timestamp.optional().describe('For Diverged: its notAfter.'),
  held: heldDrift.optional().describe('What the target reported holding (connectors that can inspect their target).'),
  endpoints: z.array(endpointDrift).max(8).optional().describe('Per verify endpoint: what a fresh TLS handshake served.'),
  repairs: z.int().min(0).max(2147483647).optional().describe('Redeploys made because of drift (driftPolicy: Repair).'),
  lastRepairAt: timestamp.optional().describe('When drift last triggered a redeploy.'),
});
export type TargetDrift = z.infer<typeof targetDrift>;
export type EndpointDrift = z.infer<typeof endpointDrift>;
export type HeldDrift = z.infer<typeof heldDrift>;

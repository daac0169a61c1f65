/**
 * cert-manager objects for tests, written the way a user would (plain manifests through the
 * API), plus the two things tests wait for: a Certificate's Ready condition at a revision,
 * and its Secret. `renewCertificate` does exactly what `cmctl renew` does.
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';

export const CM_GROUP = 'cert-manager.io';
export const CM_VERSION = 'v1';

/** The condition reason `cmctl renew` sets; the trigger for a manual re-issuance. */
export const MANUALLY_TRIGGERED = 'ManuallyTriggered';

export interface CmCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

export interface CmCertificate {
  metadata: { name: string; namespace: string; generation: number; resourceVersion: string };
  spec: Record<string, unknown>;
  status?: { conditions?: CmCondition[]; revision?: number; notAfter?: string };
}

/** The PEM parts of a kubernetes.io/tls Secret written by cert-manager. */
export interface TlsSecret {
  readonly crt: string;
  readonly key: string;
  readonly ca: string | undefined;
  /** SHA-256 over the DER of the first certificate in tls.crt (the leaf). */
  readonly leafFingerprint: string;
  readonly leaf: X509Certificate;
}

/** SHA-256 hex of a certificate's DER: the fingerprint cert-deployer records in status. */
export function fingerprintOf(cert: X509Certificate): string {
  return createHash('sha256').update(cert.raw).digest('hex');
}

/** Creates a namespaced Issuer with the given spec (`{ selfSigned: {} }`, `{ ca: { secretName } }`). */
export async function createIssuer(objects: CustomObjectsApi, namespace: string, name: string, spec: Record<string, unknown>): Promise<void> {
  await objects.createNamespacedCustomObject({
    group: CM_GROUP, version: CM_VERSION, plural: 'issuers', namespace,
    body: { apiVersion: `${CM_GROUP}/${CM_VERSION}`, kind: 'Issuer', metadata: { name, namespace }, spec },
  });
}

/** Creates a Certificate with the given spec. */
export async function createCertificate(objects: CustomObjectsApi, namespace: string, name: string, spec: Record<string, unknown>): Promise<void> {
  await objects.createNamespacedCustomObject({
    group: CM_GROUP, version: CM_VERSION, plural: 'certificates', namespace,
    body: { apiVersion: `${CM_GROUP}/${CM_VERSION}`, kind: 'Certificate', metadata: { name, namespace }, spec },
  });
}

export async function getCertificate(objects: CustomObjectsApi, namespace: string, name: string): Promise<CmCertificate> {
  return (await objects.getNamespacedCustomObject({ group: CM_GROUP, version: CM_VERSION, plural: 'certificates', namespace, name })) as CmCertificate;
}

/** The condition of `type` on an Issuer or Certificate, if any. */
export function conditionOf(obj: { status?: { conditions?: CmCondition[] } }, type: string): CmCondition | undefined {
  return obj.status?.conditions?.find((c) => c.type === type);
}

export async function getIssuer(objects: CustomObjectsApi, namespace: string, name: string): Promise<{ status?: { conditions?: CmCondition[] } }> {
  return (await objects.getNamespacedCustomObject({ group: CM_GROUP, version: CM_VERSION, plural: 'issuers', namespace, name })) as { status?: { conditions?: CmCondition[] } };
}

/**
 * Re-issues a Certificate now, like `cmctl renew`: sets the Issuing condition to True with
 * reason ManuallyTriggered through the status subresource (an update with the current
 * resourceVersion, so a concurrent cert-manager write makes it fail instead of being lost).
 */
export async function renewCertificate(objects: CustomObjectsApi, namespace: string, name: string, now = new Date()): Promise<void> {
  const crt = await getCertificate(objects, namespace, name);
  const issuing: CmCondition = {
    type: 'Issuing', status: 'True', reason: MANUALLY_TRIGGERED, message: 'Certificate re-issuance manually triggered',
    lastTransitionTime: now.toISOString().replace(/\.\d+Z$/, 'Z'), observedGeneration: crt.metadata.generation,
  };
  const conditions = [...(crt.status?.conditions ?? []).filter((c) => c.type !== 'Issuing'), issuing];
  await objects.replaceNamespacedCustomObjectStatus({
    group: CM_GROUP, version: CM_VERSION, plural: 'certificates', namespace, name,
    body: { ...crt, status: { ...crt.status, conditions } },
  });
}

/** Reads a TLS Secret; undefined when it does not exist yet or holds no certificate. */
export async function readTlsSecret(core: CoreV1Api, namespace: string, name: string): Promise<TlsSecret | undefined> {
  let data: Record<string, string> | undefined;
  try {
    data = (await core.readNamespacedSecret({ name, namespace })).data;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
  const text = (k: string) => (data?.[k] ? Buffer.from(data[k], 'base64').toString('utf8') : '');
  const crt = text('tls.crt');
  if (!crt.includes('BEGIN CERTIFICATE')) return undefined;
  const leaf = new X509Certificate(crt);
  return { crt, key: text('tls.key'), ca: text('ca.crt') || undefined, leafFingerprint: fingerprintOf(leaf), leaf };
}

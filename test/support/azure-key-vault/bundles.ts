/**
 * The JSON shapes the fake Key Vault answers with, modelled on the documented REST API and on
 * real responses recorded by the Azure SDK for JS (CertificateBundle, CertificateItem,
 * DeletedCertificateBundle, the error envelope and the 401 challenge).
 */
import { X509Certificate } from 'node:crypto';
import { latest, x5tOf, type StoredCertificate, type StoredVersion } from './vault-state.ts';

const seconds = (ms: number): number => Math.floor(ms / 1000);
/** What a vault with soft delete (the default since 2020) reports. */
const RECOVERY = { recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 } as const;

function attributes(v: StoredVersion): Record<string, unknown> {
  const leaf = new X509Certificate(v.chainDer[0] as Buffer);
  return {
    enabled: v.enabled,
    nbf: seconds(Date.parse(leaf.validFrom)),
    exp: seconds(Date.parse(leaf.validTo)),
    created: seconds(v.created),
    updated: seconds(v.created),
    ...RECOVERY,
  };
}

/** The policy an imported certificate gets: issuer Unknown, key properties of the imported key. */
function policy(base: string, cert: StoredCertificate, v: StoredVersion): Record<string, unknown> {
  const leaf = new X509Certificate(v.chainDer[0] as Buffer);
  return {
    id: `${base}/certificates/${cert.name}/policy`,
    key_props: { exportable: true, reuse_key: false, ...v.keyProps },
    secret_props: { contentType: v.contentType },
    x509_props: { subject: leaf.subject.replace(/\n/g, ', '), sans: {}, validity_months: 12 },
    lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'EmailContacts' } }],
    issuer: { name: 'Unknown' },
    attributes: { enabled: true, created: seconds(v.created), updated: seconds(v.created) },
  };
}

/** A CertificateBundle for `v` (GET certificate, import response). */
export function certificateBundle(base: string, cert: StoredCertificate, v: StoredVersion): Record<string, unknown> {
  return {
    id: `${base}/certificates/${cert.name}/${v.version}`,
    kid: `${base}/keys/${cert.name}/${v.version}`,
    sid: `${base}/secrets/${cert.name}/${v.version}`,
    x5t: x5tOf(v),
    cer: (v.chainDer[0] as Buffer).toString('base64'),
    attributes: attributes(v),
    policy: policy(base, cert, v),
    tags: v.tags,
  };
}

/** A CertificateItem (list of versions). */
export function certificateItem(base: string, cert: StoredCertificate, v: StoredVersion): Record<string, unknown> {
  return { id: `${base}/certificates/${cert.name}/${v.version}`, x5t: x5tOf(v), attributes: attributes(v), tags: v.tags };
}

/** A DeletedCertificateBundle (delete response, GET deletedcertificates). */
export function deletedBundle(base: string, cert: StoredCertificate): Record<string, unknown> {
  const v = latest(cert) as StoredVersion;
  const deleted = cert.deletedOn ?? Date.now();
  return {
    recoveryId: `${base}/deletedcertificates/${cert.name}`,
    deletedDate: seconds(deleted),
    scheduledPurgeDate: seconds(deleted + RECOVERY.recoverableDays * 86_400_000),
    ...certificateBundle(base, cert, v),
  };
}

/** Key Vault's error envelope. */
export function errorBody(code: string, message: string, inner?: string): Record<string, unknown> {
  return { error: { code, message, ...(inner === undefined ? {} : { innererror: { code: inner } }) } };
}

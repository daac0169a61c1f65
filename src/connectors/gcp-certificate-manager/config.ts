/**
 * The `gcpCertificateManager` block: one self-managed certificate in Google Cloud Certificate
 * Manager, named by project, location and certificate id. The name is fixed by the
 * configuration, so a replay (or a lost status write) finds the same certificate instead of
 * creating a second one. Credentials are a service account key in a Secret, or the pod's
 * workload identity when the operator policy allows ambient identity.
 */
import { z } from 'zod';
import { OWNER_LABEL_KEY } from './labels.ts';

/** Certificate Manager's public endpoint (one endpoint for every location). */
export const DEFAULT_ENDPOINT = 'https://certificatemanager.googleapis.com';
/** Google's OAuth 2.0 token endpoint, where a signed service-account assertion is exchanged. */
export const DEFAULT_TOKEN_URL = 'https://oauth2.googleapis.com/token';
/** The GKE/GCE metadata server, which hands out workload identity tokens. */
export const DEFAULT_METADATA_URL = 'http://metadata.google.internal';

/** GCP label keys: lowercase letter first, then lowercase letters, digits, `_` and `-`; ≤ 63. */
export const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
/** GCP label values: lowercase letters, digits, `_` and `-`; ≤ 63, may be empty. */
export const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * Problems with an API or token base URL: http(s) only, no userinfo, query or fragment. Plain
 * http is refused except on loopback (a local fake or proxy), because the URL receives bearer
 * tokens. The metadata server is the exception and is checked separately.
 */
export function baseUrlProblem(raw: string, allowHttp: 'loopback' | 'any', pathAllowed: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
  if (url.username !== '' || url.password !== '') return 'must not carry userinfo';
  if (url.search !== '' || url.hash !== '') return 'must not carry a query or fragment';
  if (!pathAllowed && url.pathname !== '/') return 'must be scheme, host and port only (no path)';
  if (url.protocol === 'http:' && allowHttp === 'loopback' && !LOOPBACK_HOSTS.has(url.hostname)) {
    return 'must use https (plain http is accepted only on loopback, for a local proxy or fake)';
  }
  return null;
}

const apiUrl = (what: string, allowHttp: 'loopback' | 'any', pathAllowed = false) =>
  z
    .string()
    .min(8)
    .max(2048)
    .superRefine((v, ctx) => {
      const p = baseUrlProblem(v, allowHttp, pathAllowed);
      if (p !== null) ctx.addIssue({ code: 'custom', message: `${what} ${p}` });
    });

/** The block's schema: the CRD is generated from it, and the controller validates targets with it. */
export const gcpCertificateManagerConfig = z
  .object({
    project: z
      .string()
      .min(1)
      .max(100)
      .regex(/^(?:[a-z][-a-z0-9.:]{0,98}[a-z0-9]|[0-9]{1,30})$/, 'a project id (my-project, example.com:my-project) or project number')
      .describe('Google Cloud project id (or number) that holds the certificate.'),
    location: z
      .string()
      .min(1)
      .max(63)
      .regex(/^[a-z][-a-z0-9]{0,62}$/, 'a location such as global or europe-west1')
      .default('global')
      .describe('Certificate Manager location: global (for global external load balancers) or a region. Defaults to global.'),
    certificateId: z
      .string()
      .min(1)
      .max(63)
      .regex(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, 'lowercase letters, digits and hyphens; starts with a letter')
      .describe('Certificate resource id, unique in the project and location. Created on the first deploy, updated in place afterwards.'),
    credentialsRef: z
      .object({ name: z.string().min(1).max(253).describe('Secret name in the same namespace.') })
      .optional()
      .describe('Secret holding a service account key JSON under key.json. Omitted: the pod\'s workload identity (metadata server), only when the operator policy allows ambient cloud identity.'),
    endpoint: apiUrl('endpoint', 'loopback')
      .default(DEFAULT_ENDPOINT)
      .describe('Certificate Manager API base URL. Defaults to https://certificatemanager.googleapis.com; set it for a private endpoint (Private Service Connect).'),
    tokenUrl: apiUrl('tokenUrl', 'loopback', true)
      .default(DEFAULT_TOKEN_URL)
      .describe('OAuth 2.0 token endpoint where the service account assertion is exchanged (with credentialsRef). Defaults to https://oauth2.googleapis.com/token.'),
    metadataServerUrl: apiUrl('metadataServerUrl', 'any')
      .default(DEFAULT_METADATA_URL)
      .describe('Metadata server base URL for workload identity (without credentialsRef). Defaults to http://metadata.google.internal.'),
    labels: z
      .record(z.string().regex(LABEL_KEY, 'label keys: lowercase letter first, then [a-z0-9_-], at most 63'), z.string().regex(LABEL_VALUE, 'label values: [a-z0-9_-], at most 63'))
      .optional()
      .refine((l) => l === undefined || !(OWNER_LABEL_KEY in l), `${OWNER_LABEL_KEY} is set by cert-deployer`)
      .refine((l) => l === undefined || Object.keys(l).length <= 63, 'at most 63 labels (GCP allows 64, one is the owner label)')
      .describe(`Extra labels on the certificate. The ${OWNER_LABEL_KEY} label is added by cert-deployer to mark ownership.`),
  })
  .describe('Creates or updates a self-managed certificate in Google Cloud Certificate Manager, labelled as owned by this target, and waits for the operation to finish.');
/** A validated block, defaults filled in. */
export type GcpCertificateManagerConfig = z.infer<typeof gcpCertificateManagerConfig>;

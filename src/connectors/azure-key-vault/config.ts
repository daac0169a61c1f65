/**
 * The `azureKeyVault` block: which vault and which certificate object the credential is
 * imported into, how the connector authenticates, and what else it may trust and tag.
 *
 * Only https vault and authority URLs are accepted, because the grant is derived from them:
 * the connector dials exactly the vault's `host:port` and, when it fetches tokens itself,
 * exactly the authority's. A `caBundle` adds trust for a private endpoint (an emulator, a TLS
 * inspecting proxy); verification is never switched off.
 */
import { z } from 'zod';

/** Key Vault object names: 1–127 letters, digits and dashes (REST `certificate-name` pattern). */
export const CERTIFICATE_NAME = /^[0-9a-zA-Z-]{1,127}$/;

/** Key Vault allows 15 tags per object; the owner tag takes one. */
export const MAX_USER_TAGS = 14;
/** Tag name and value lengths Key Vault documents for object tags. */
export const MAX_TAG_NAME = 512;
export const MAX_TAG_VALUE = 512;

/** The Secret keys of a client-secret credential (documented in docs/connectors/azure-key-vault.md). */
export const CredentialKey = {
  TenantId: 'tenant-id',
  ClientId: 'client-id',
  ClientSecret: 'client-secret',
} as const;

/** The tag that marks a certificate object as ours: its value is the target's owner id. */
export const OWNER_TAG = 'certdeployer.io-owner';

/** The public-cloud Microsoft Entra authority. */
export const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';

/** An https origin with nothing after the host (a trailing slash is tolerated). */
const httpsOrigin = z
  .string()
  .min(9)
  .max(2048)
  .regex(/^https:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?)(:[1-9][0-9]{0,4})?\/?$/, 'must be an https URL with a host and an optional port, and no path');

const PEM_CERTIFICATES = /^\s*(-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\s*)+$/;

export const azureKeyVaultConfig = z
  .object({
    vaultUrl: httpsOrigin.describe('The vault URL, e.g. https://my-vault.vault.azure.net. The connector dials exactly this host and port (443 when omitted).'),
    certificateName: z
      .string()
      .regex(CERTIFICATE_NAME, 'must be 1-127 letters, digits or dashes')
      .describe('Name of the Key Vault certificate object. Each rotation imports a new version of it.'),
    credentialsRef: z
      .object({ name: z.string().min(1).max(253).describe('Secret name in the same namespace.') })
      .optional()
      .describe(
        'Secret with a Microsoft Entra service principal: tenant-id, client-id and client-secret. When omitted, the pod\'s workload identity is used, which the operator policy must allow (ambientCloudIdentity).',
      ),
    authorityHost: httpsOrigin
      .optional()
      .describe('Microsoft Entra authority host for token requests; default https://login.microsoftonline.com. Set it for sovereign clouds. The connector dials exactly this host and port.'),
    caBundle: z
      .string()
      .max(65536)
      .regex(PEM_CERTIFICATES, 'must be one or more PEM CERTIFICATE blocks')
      .optional()
      .describe('Extra PEM CA certificates trusted (in addition to the system roots) for the vault and authority, e.g. for a private endpoint behind an inspecting proxy or an emulator.'),
    disableChallengeResourceVerification: z
      .boolean()
      .optional()
      .describe(
        'Skip the SDK check that the vault\'s authentication challenge names a resource matching the vault host. Only for Key Vault-compatible endpoints outside *.vault.azure.net (emulators); leave unset for Azure.',
      ),
    tags: z
      .record(z.string().min(1).max(MAX_TAG_NAME), z.string().max(MAX_TAG_VALUE))
      .refine((t) => Object.keys(t).length <= MAX_USER_TAGS, `at most ${MAX_USER_TAGS} tags (Key Vault allows 15 per object, one is the owner tag)`)
      .refine((t) => !Object.hasOwn(t, OWNER_TAG), `${OWNER_TAG} is set by the connector and cannot be given`)
      .meta({
        maxProperties: MAX_USER_TAGS,
        'x-kubernetes-validations': [{ rule: `!('${OWNER_TAG}' in self)`, message: `${OWNER_TAG} is set by the connector and cannot be given` }],
      })
      .optional()
      .describe(`Extra tags set on every imported version (at most ${MAX_USER_TAGS}). The owner tag certdeployer.io-owner is always set by the connector and cannot be overridden.`),
  })
  .describe('Imports the certificate, its chain and key as a new version of an Azure Key Vault certificate object.');

/** The validated block, as the connector receives it. */
export type AzureKeyVaultConfig = z.infer<typeof azureKeyVaultConfig>;

/**
 * How the connector gets Microsoft Entra tokens for Key Vault, decided from the block alone
 * (so the grant is known before any I/O) and built per deploy with the sandbox transport:
 *
 * - `credentialsRef` → a service principal with a client secret from that Secret
 *   (`tenant-id`, `client-id`, `client-secret`).
 * - no `credentialsRef` → the pod's workload identity (the AKS webhook's AZURE_CLIENT_ID,
 *   AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE), only when the operator policy allows
 *   ambient identity. The identity library reads the projected token file itself.
 * - an injected credential (tests, embedding) → no token traffic at all.
 *
 * Both Entra flows get `disableInstanceDiscovery` so MSAL talks to the configured authority
 * only (no discovery call to login.microsoftonline.com behind a sovereign or private
 * authority), and the sandbox transport, so every token request obeys the dial grant. The
 * credentials keep no cache between deploys: the controller only calls deploy when a
 * certificate or a spec changed, so one token request per deploy is cheap.
 */
import type { TokenCredential } from '@azure/identity';
import type { HttpClient } from '@azure/core-rest-pipeline';
import { ClientSecretCredential, WorkloadIdentityCredential } from '@azure/identity';
import { terminal, type DeployContext } from '../sdk/index.ts';
import { CredentialKey, DEFAULT_AUTHORITY_HOST, type AzureKeyVaultConfig } from './config.ts';

/** Which credential a block selects. Pure data, decided at create time. */
export type CredentialPlan =
  | { readonly kind: 'injected' }
  | { readonly kind: 'clientSecret'; readonly secretName: string; readonly authorityHost: string }
  | { readonly kind: 'workloadIdentity'; readonly authorityHost: string };

/** The plan for `config`; `injected` when the caller supplies its own credential. */
export function credentialPlan(config: AzureKeyVaultConfig, injected: boolean): CredentialPlan {
  if (injected) return { kind: 'injected' };
  const authorityHost = (config.authorityHost ?? DEFAULT_AUTHORITY_HOST).replace(/\/$/, '');
  if (config.credentialsRef !== undefined) return { kind: 'clientSecret', secretName: config.credentialsRef.name, authorityHost };
  return { kind: 'workloadIdentity', authorityHost };
}

/** Options every Entra credential gets. The SDK retries nothing: the controller backs off. */
function entraOptions(authorityHost: string, httpClient: HttpClient) {
  return { authorityHost, httpClient, disableInstanceDiscovery: true, retryOptions: { maxRetries: 0 } };
}

/** Reads the client-secret Secret, or says exactly what is missing (names only, never values). */
function clientSecretOf(plan: Extract<CredentialPlan, { kind: 'clientSecret' }>, ctx: DeployContext, httpClient: HttpClient): TokenCredential {
  const data = ctx.secrets?.get(plan.secretName);
  if (data === undefined) {
    throw terminal(`credentialsRef: Secret ${plan.secretName} was not found in the deployment's namespace (it needs ${Object.values(CredentialKey).join(', ')})`);
  }
  const missing = Object.values(CredentialKey).filter((k) => (data[k]?.reveal().trim() ?? '') === '');
  if (missing.length > 0) throw terminal(`credentialsRef: Secret ${plan.secretName} has no ${missing.join(', ')}`);
  const value = (k: string): string => (data[k]?.reveal() ?? '').trim();
  try {
    // reveal() only here, on the way into the credential that sends it to the authority.
    return new ClientSecretCredential(value(CredentialKey.TenantId), value(CredentialKey.ClientId), value(CredentialKey.ClientSecret), entraOptions(plan.authorityHost, httpClient));
  } catch (err) {
    throw terminal(`credentialsRef: Secret ${plan.secretName}: ${(err as Error).message.split('\n')[0] ?? 'invalid credential'}`);
  }
}

/** Builds the credential of `plan` for one deploy, on the sandbox transport. */
export function buildCredential(plan: CredentialPlan, ctx: DeployContext, httpClient: HttpClient, injected?: TokenCredential): TokenCredential {
  switch (plan.kind) {
    case 'injected':
      if (injected === undefined) throw terminal('azureKeyVault: no credential was injected');
      return injected;
    case 'clientSecret':
      return clientSecretOf(plan, ctx, httpClient);
    case 'workloadIdentity':
      if (ctx.allowAmbientIdentity !== true) {
        throw terminal('no credentialsRef is set and the operator policy does not allow the pod\'s ambient identity (policy.ambientCloudIdentity); set credentialsRef or allow workload identity');
      }
      try {
        return new WorkloadIdentityCredential(entraOptions(plan.authorityHost, httpClient));
      } catch (err) {
        throw terminal(`workload identity is not configured for this pod: ${(err as Error).message.split('\n')[0] ?? ''}`);
      }
  }
}

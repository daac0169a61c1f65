/**
 * How the connector gets Microsoft Entra tokens for Key Vault, decided from the block and the
 * operator's environment alone (so the grant is known before any I/O) and built per deploy
 * with the sandbox transport:
 *
 * - `credentialsRef` → a service principal with a client secret from that Secret
 *   (`tenant-id`, `client-id`, `client-secret`).
 * - no `credentialsRef` → the pod's workload identity (the AKS webhook's AZURE_CLIENT_ID,
 *   AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE), only when the operator policy allows
 *   ambient identity. The projected token file is read through `sandbox.readFile`, so the
 *   connector declares it as a read grant; the identity library's WorkloadIdentityCredential
 *   is not used, because it reads the file with node:fs, outside the sandbox. Managed
 *   identity (IMDS, App Service IDENTITY_ENDPOINT/MSI_ENDPOINT) is not used at all.
 * - an injected credential (tests, embedding) → no token traffic at all.
 *
 * Both Entra flows get `disableInstanceDiscovery` so MSAL talks to the configured authority
 * only (no discovery call to login.microsoftonline.com behind a sovereign or private
 * authority), and the sandbox transport, so every token request obeys the dial grant. The
 * pod's federated token goes to a Microsoft Entra host only (ambient-authority.ts), its Key
 * Vault token to a Key Vault host only (ambient-vault.ts), and the pod's identity is asked for
 * Key Vault tokens only (key-vault-scope.ts).
 */
import type { TokenCredential } from '@azure/identity';
import type { HttpClient } from '@azure/core-rest-pipeline';
import { retryable, terminal, type DeployContext, type Sandbox } from '@cert-deployer/connector-sdk';
import { ambientAuthorityProblem } from './ambient-authority.ts';
import { ambientVaultProblem } from './ambient-vault.ts';
import { CredentialKey, DEFAULT_AUTHORITY_HOST, type AzureKeyVaultConfig } from './config.ts';
import { keyVaultScopesOnly } from './key-vault-scope.ts';

/** The process environment, or a stand-in for it in tests. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The variables the AKS workload identity webhook injects, in the order messages name them. */
export const WORKLOAD_IDENTITY_ENV = ['AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_FEDERATED_TOKEN_FILE'] as const;

/** The pod's workload identity as its environment describes it. */
export interface WorkloadIdentityEnv {
  readonly clientId: string;
  readonly tenantId: string;
  /** Absolute path of the projected service account token. */
  readonly tokenFile: string;
}

/** Which credential a block selects. Pure data, decided at create time. */
export type CredentialPlan =
  | { readonly kind: 'injected' }
  | { readonly kind: 'clientSecret'; readonly secretName: string; readonly authorityHost: string }
  | { readonly kind: 'workloadIdentity'; readonly authorityHost: string; readonly vaultUrl: string; readonly identity: WorkloadIdentityEnv | { readonly problem: string } };

/** Tokens are a few kilobytes; anything bigger is not one. */
const MAX_TOKEN_BYTES = 64 * 1024;

/** The workload identity the environment configures, or what is wrong with it. Pure. */
export function workloadIdentityEnv(env: Env): WorkloadIdentityEnv | { readonly problem: string } {
  const value = (k: string) => env[k]?.trim() ?? '';
  const missing = WORKLOAD_IDENTITY_ENV.filter((k) => value(k) === '');
  if (missing.length > 0) {
    return {
      problem:
        `workload identity is not configured for this pod: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set ` +
        '(label the operator\'s service account and pod for Microsoft Entra Workload ID). Managed identity (IMDS, App Service IDENTITY_ENDPOINT/MSI_ENDPOINT) is not used by cert-deployer',
    };
  }
  const tokenFile = value('AZURE_FEDERATED_TOKEN_FILE');
  if (!tokenFile.startsWith('/')) return { problem: `workload identity is not configured for this pod: AZURE_FEDERATED_TOKEN_FILE must be an absolute path, got ${JSON.stringify(tokenFile)}` };
  return { clientId: value('AZURE_CLIENT_ID'), tenantId: value('AZURE_TENANT_ID'), tokenFile };
}

/** The plan for `config`; `injected` when the caller supplies its own credential. */
export function credentialPlan(config: AzureKeyVaultConfig, injected: boolean, env: Env = process.env): CredentialPlan {
  if (injected) return { kind: 'injected' };
  const authorityHost = (config.authorityHost ?? DEFAULT_AUTHORITY_HOST).replace(/\/$/, '');
  if (config.credentialsRef !== undefined) return { kind: 'clientSecret', secretName: config.credentialsRef.name, authorityHost };
  return { kind: 'workloadIdentity', authorityHost, vaultUrl: config.vaultUrl, identity: workloadIdentityEnv(env) };
}

/** The files a plan reads: the projected token file of a configured workload identity. */
export function planReads(plan: CredentialPlan): string[] {
  return plan.kind === 'workloadIdentity' && 'tokenFile' in plan.identity ? [plan.identity.tokenFile] : [];
}

/** Options every Entra credential gets. The SDK retries nothing: the controller backs off. */
function entraOptions(authorityHost: string, httpClient: HttpClient) {
  return { authorityHost, httpClient, disableInstanceDiscovery: true, retryOptions: { maxRetries: 0 } };
}

/** Reads the client-secret Secret, or says exactly what is missing (names only, never values). */
async function clientSecretOf(plan: Extract<CredentialPlan, { kind: 'clientSecret' }>, ctx: DeployContext, httpClient: HttpClient): Promise<TokenCredential> {
  const data = ctx.secrets?.get(plan.secretName);
  if (data === undefined) {
    throw terminal(`credentialsRef: Secret ${plan.secretName} was not found in the deployment's namespace (it needs ${Object.values(CredentialKey).join(', ')})`);
  }
  const missing = Object.values(CredentialKey).filter((k) => (data[k]?.reveal().trim() ?? '') === '');
  if (missing.length > 0) throw terminal(`credentialsRef: Secret ${plan.secretName} has no ${missing.join(', ')}`);
  const value = (k: string): string => (data[k]?.reveal() ?? '').trim();
  const { ClientSecretCredential } = await import('@azure/identity');
  try {
    // reveal() only here, on the way into the credential that sends it to the authority.
    return new ClientSecretCredential(value(CredentialKey.TenantId), value(CredentialKey.ClientId), value(CredentialKey.ClientSecret), entraOptions(plan.authorityHost, httpClient));
  } catch (err) {
    throw terminal(`credentialsRef: Secret ${plan.secretName}: ${(err as Error).message.split('\n')[0] ?? 'invalid credential'}`);
  }
}

/** Reads the projected token through the sandbox (the declared read grant applies). */
async function federatedToken(sandbox: Sandbox, path: string, signal: AbortSignal): Promise<string> {
  const bytes = await sandbox.readFile(path, { signal });
  if (bytes === null) throw retryable(`the workload identity token file ${path} does not exist (yet)`);
  if (bytes.byteLength > MAX_TOKEN_BYTES) throw terminal(`the workload identity token file ${path} is larger than ${MAX_TOKEN_BYTES} bytes; it is not a token`);
  const token = new TextDecoder().decode(bytes).trim();
  if (token === '') throw terminal(`the workload identity token file ${path} is empty`);
  return token;
}

/** What building a credential needs from the deploy. */
export interface CredentialDeps {
  readonly httpClient: HttpClient;
  readonly sandbox: Sandbox;
  readonly signal: AbortSignal;
  readonly injected?: TokenCredential | undefined;
}

/**
 * Builds the credential of `plan` for one deploy, on the sandbox transport. @azure/identity is
 * loaded here, on the first Key Vault deploy, not at start-up (issue 13, lean runtime).
 */
export async function buildCredential(plan: CredentialPlan, ctx: DeployContext, deps: CredentialDeps): Promise<TokenCredential> {
  switch (plan.kind) {
    case 'injected':
      if (deps.injected === undefined) throw terminal('azureKeyVault: no credential was injected');
      return deps.injected;
    case 'clientSecret':
      return clientSecretOf(plan, ctx, deps.httpClient);
    case 'workloadIdentity': {
      if (ctx.allowAmbientIdentity !== true) {
        throw terminal('no credentialsRef is set and the operator policy does not allow the pod\'s ambient identity (policy.ambientCloudIdentity); set credentialsRef or allow workload identity');
      }
      const id = plan.identity;
      if ('problem' in id) throw terminal(id.problem);
      const where = ambientAuthorityProblem(plan.authorityHost) ?? ambientVaultProblem(plan.vaultUrl);
      if (where !== null) throw terminal(where);
      const { ClientAssertionCredential } = await import('@azure/identity');
      try {
        const credential = new ClientAssertionCredential(id.tenantId, id.clientId, () => federatedToken(deps.sandbox, id.tokenFile, deps.signal), entraOptions(plan.authorityHost, deps.httpClient));
        return keyVaultScopesOnly(credential);
      } catch (err) {
        throw terminal(`workload identity is not configured for this pod: ${(err as Error).message.split('\n')[0] ?? ''}`);
      }
    }
  }
}

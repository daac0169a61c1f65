/**
 * The pod's own identity is asked for Key Vault tokens only. The scope a Key Vault client asks
 * for comes from the vault's 401 challenge (`resource="…"`), i.e. from whatever answers at the
 * tenant-chosen `vaultUrl`; the SDK's check that the resource matches the vault's domain can
 * be switched off by the block (`disableChallengeResourceVerification`, for emulators). Without
 * this guard a vault endpoint could name `https://management.azure.com` and receive an Azure
 * Resource Manager token of the operator's workload identity. With it, any scope other than a
 * Key Vault or Managed HSM audience is refused before a token request is made.
 */
import type { GetTokenOptions, AccessToken, TokenCredential } from '@azure/identity';
import { terminal } from '@cert-deployer/connector-sdk';

/** The Key Vault and Managed HSM resources of the public and sovereign clouds. */
export const KEY_VAULT_RESOURCES: readonly string[] = [
  'https://vault.azure.net', 'https://vault.azure.cn', 'https://vault.usgovcloudapi.net', 'https://vault.microsoftazure.de',
  'https://managedhsm.azure.net', 'https://managedhsm.azure.cn', 'https://managedhsm.usgovcloudapi.net',
];

/** Whether `scope` is `<key vault resource>/.default` (or the bare resource). Pure. */
export function isKeyVaultScope(scope: string): boolean {
  const resource = scope.replace(/\/\.default$/, '').replace(/\/$/, '').toLowerCase();
  return KEY_VAULT_RESOURCES.includes(resource);
}

/** Wraps `inner` so it only ever fetches Key Vault tokens. */
export function keyVaultScopesOnly(inner: TokenCredential): TokenCredential {
  return {
    getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      const list = Array.isArray(scopes) ? scopes : [scopes];
      const foreign = list.filter((s) => !isKeyVaultScope(s));
      if (foreign.length > 0) {
        return Promise.reject(
          terminal(
            `refusing to request a token of the pod's workload identity for ${foreign.map((s) => JSON.stringify(s.slice(0, 120))).join(', ')}: ` +
              'the vault\'s challenge names a resource that is not Key Vault, and the pod\'s identity is used for Key Vault only',
          ),
        );
      }
      return inner.getToken(scopes, options);
    },
  };
}

/**
 * Where a Key Vault token of the pod's own identity may go. Every vault request carries the
 * bearer token, and `vaultUrl` is written by the tenant: a host that answers there with a
 * Key Vault challenge (and the block's `disableChallengeResourceVerification`, meant for
 * emulators) would receive a token that opens every vault the operator's identity can open.
 * A `hosts` entry in the policy says "may be dialled", not "may receive the operator's token",
 * so with workload identity the vault must also be an Azure Key Vault or Managed HSM host of
 * the public or a sovereign cloud, or loopback (an emulator or proxy in the operator's pod).
 * Pure.
 */

/** DNS suffixes of Key Vault and Managed HSM endpoints in the public and sovereign clouds. */
export const KEY_VAULT_DNS_SUFFIXES: readonly string[] = [
  '.vault.azure.net', '.vault.azure.cn', '.vault.usgovcloudapi.net', '.vault.microsoftazure.de',
  '.managedhsm.azure.net', '.managedhsm.azure.cn', '.managedhsm.usgovcloudapi.net',
];

/** Why the pod's Key Vault token must not be sent to `vaultUrl`, or null when it may be. */
export function ambientVaultProblem(vaultUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(vaultUrl);
  } catch {
    return 'vaultUrl is not a URL';
  }
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return null;
  if (url.protocol === 'https:' && KEY_VAULT_DNS_SUFFIXES.some((s) => host.endsWith(s) && host.length > s.length)) return null;
  return (
    `refusing to send a Key Vault token of the pod's workload identity to ${url.host}: with workload identity, vaultUrl must be an Azure Key Vault ` +
    'or Managed HSM host (*.vault.azure.net and the sovereign-cloud equivalents) or loopback; set credentialsRef to use another endpoint'
  );
}

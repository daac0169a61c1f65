/**
 * Where the pod's federated token may go. With workload identity the connector sends the
 * operator pod's projected service account token (audience `api://AzureADTokenExchange`) to the
 * block's `authorityHost` as a client assertion, and anyone holding that token can exchange it
 * at Microsoft Entra for the operator's identity. `authorityHost` is written by the tenant; the
 * operator policy must list it (it is in the grant), but a `hosts` entry means "may be
 * dialled", not "may receive the operator's token". So with workload identity the authority
 * must also be one of Microsoft Entra's own hosts (public and sovereign clouds, as MSAL knows
 * them) or loopback (a proxy in the operator's own pod). A tenant that needs another authority
 * brings its own service principal (credentialsRef). Pure.
 */

/** Microsoft Entra authority hosts of the public and sovereign clouds (MSAL's known authorities). */
export const ENTRA_AUTHORITY_HOSTS: ReadonlySet<string> = new Set([
  'login.microsoftonline.com', 'login.microsoft.com', 'login.windows.net', 'sts.windows.net',
  'login.microsoftonline.us', 'login.usgovcloudapi.net', 'login-us.microsoftonline.com',
  'login.chinacloudapi.cn', 'login.partner.microsoftonline.cn', 'login.microsoftonline.de',
]);

/** Why the pod's federated token must not be sent to `authorityHost`, or null when it may be. */
export function ambientAuthorityProblem(authorityHost: string): string | null {
  let url: URL;
  try {
    url = new URL(authorityHost);
  } catch {
    return 'authorityHost is not a URL';
  }
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return null;
  if (url.protocol === 'https:' && ENTRA_AUTHORITY_HOSTS.has(host) && (url.port === '' || url.port === '443')) return null;
  return (
    `refusing to send the pod's workload identity token to ${url.host}: with workload identity, authorityHost must be a Microsoft Entra host ` +
    '(login.microsoftonline.com, login.microsoftonline.us, login.chinacloudapi.cn, ...) or loopback; set credentialsRef to use another authority'
  );
}

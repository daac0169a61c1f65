/**
 * Where the pod's own access token may go. With workload identity the bearer token of the
 * operator's Google service account is sent to the block's `endpoint`, which the tenant writes.
 * The operator policy must list that endpoint (it is in the grant), but a dial entry does not
 * say "may receive the operator's token": an address listed for another purpose (a
 * verification probe, a tenant's own proxy) would otherwise receive it. So with ambient
 * identity the endpoint must also be a Google API host (`*.googleapis.com` over https, which
 * covers the public endpoint, Private Service Connect `*.p.googleapis.com` names and the
 * private/restricted VIP names) or loopback (a proxy in the operator's own pod). A tenant who
 * needs another endpoint brings its own service account key (credentialsRef). Pure.
 */

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Why the pod's token must not be sent to `endpoint`, or null when it may be. */
export function ambientEndpointProblem(endpoint: string): string | null {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'the endpoint is not a URL';
  }
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (LOOPBACK_HOSTS.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return null;
  if (url.protocol === 'https:' && (host === 'googleapis.com' || host.endsWith('.googleapis.com'))) return null;
  return (
    `refusing to send the pod's workload identity token to ${url.host}: with ambient identity the endpoint must be an https *.googleapis.com host ` +
    '(the public endpoint or a Private Service Connect name) or loopback; reference a service account key (credentialsRef) to use another endpoint'
  );
}

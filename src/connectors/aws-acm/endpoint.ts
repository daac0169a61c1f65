/**
 * Where the connector's requests go, decided once from the configuration, so the grant and
 * the SDK client can never disagree: the client is always given this exact URL (the SDK's
 * own endpoint resolution, which reads environment variables and profile files, is never
 * consulted), and the grant dials exactly its host:port.
 */
import { canonicalDialAddress } from '@cert-deployer/connector-sdk';

/** A resolved endpoint: the URL handed to the SDK and the dial address the grant names. */
export interface AcmEndpoint {
  /** `https://host[:port]`, no path. */
  readonly url: string;
  /** Canonical `host:port` for the dial grant. */
  readonly address: string;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'https:': 443, 'http:': 80 };

/** The DNS suffix of AWS partitions this connector knows a default endpoint for. */
function dnsSuffix(region: string): string {
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
}

/** The public regional ACM endpoint, e.g. `https://acm.eu-west-1.amazonaws.com`. */
export function defaultEndpoint(region: string): string {
  return `https://acm.${region}.${dnsSuffix(region)}`;
}

function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * Why `raw` cannot be an ACM endpoint, or `null` when it can. Plain http would send the
 * signed requests and the private key in the clear, so it is accepted only for loopback
 * addresses (a local emulator); everything else must be https.
 */
export function endpointProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL such as https://acm.us-east-1.amazonaws.com';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `scheme ${url.protocol} is not supported; use https`;
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) return 'plain http is accepted only for loopback addresses (127.0.0.0/8, ::1, localhost); use https';
  if (url.username !== '' || url.password !== '') return 'must not carry user:password';
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') return 'must be an origin without a path, query or fragment';
  if (canonicalDialAddress(`${url.hostname}:${url.port || DEFAULT_PORTS[url.protocol]}`) === null) return 'host is not a DNS name or an IP address';
  return null;
}

/**
 * Why the pod's own (ambient) credentials must not sign requests for `url`, or `null`. The
 * endpoint is written by the tenant, and every request carries the credentials' access key id
 * and session token and a signature replayable for minutes; a `hosts` entry in the policy says
 * "may be dialled", not "may receive the operator's signed requests". So with ambient identity
 * the endpoint must be an AWS host (`*.amazonaws.com`, `*.amazonaws.com.cn`, which covers VPC
 * interface endpoints and FIPS endpoints) over https, or loopback (a local emulator or proxy).
 */
export function ambientEndpointProblem(url: string): string | null {
  const u = new URL(url);
  const host = u.hostname.toLowerCase().replace(/\.$/, '');
  if (isLoopbackHost(host)) return null;
  if (u.protocol === 'https:' && /(^|\.)amazonaws\.com(\.cn)?$/.test(host)) return null;
  return (
    `refusing to sign requests for ${u.host} with the pod's ambient AWS identity: with ambient identity the endpoint must be an https *.amazonaws.com ` +
    '(or .amazonaws.com.cn) host or loopback; set credentialsRef to use another endpoint'
  );
}

/**
 * The endpoint for a validated configuration. Throws for an endpoint `endpointProblem`
 * rejects (the schema has already refused it, so this is a programming error).
 */
export function resolveEndpoint(region: string, endpoint: string | undefined): AcmEndpoint {
  const raw = endpoint ?? defaultEndpoint(region);
  const problem = endpointProblem(raw);
  if (problem !== null) throw new Error(`invalid ACM endpoint: ${problem}`);
  const url = new URL(raw);
  const port = url.port || String(DEFAULT_PORTS[url.protocol]);
  const address = canonicalDialAddress(`${url.hostname}:${port}`) as string;
  return { url: url.origin, address };
}

/**
 * Which ambient AWS identity the pod has, decided from the operator's environment alone (pure),
 * so the connector can DECLARE every address and file its credential lookup touches before any
 * I/O, and the operator policy must list them. The order is the SDK default chain's, minus the
 * sources that read files or run programs outside the sandbox:
 *
 * 1. environment keys (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`): nothing to dial;
 * 2. web identity (IRSA: `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`): read the token file,
 *    dial STS (`AWS_ENDPOINT_URL_STS`, else `sts.<region>.amazonaws.com:443`);
 * 3. container credentials (ECS `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` → 169.254.170.2:80,
 *    EKS Pod Identity `AWS_CONTAINER_CREDENTIALS_FULL_URI` → 169.254.170.23:80), with the
 *    authorization token file when one is named;
 * 4. EC2 instance metadata (IMDSv2, `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else
 *    169.254.169.254:80, or [fd00:ec2::254]:80 in IPv6 mode), unless `AWS_EC2_METADATA_DISABLED`.
 *
 * Shared config and credentials files, SSO and `credential_process` are never consulted: they
 * read the operator's files and run its programs outside the sandbox. The environment is the
 * operator's (the chart's pod spec), never the tenant's, so a tenant cannot move these addresses.
 */
import type { AwsCredentialIdentity } from '@smithy/types';
import { canonicalDialAddress } from '@cert-deployer/connector-sdk';
import { endpointProblem } from './endpoint.ts';

/** The process environment, or a stand-in for it in tests. */
export type Env = Readonly<Record<string, string | undefined>>;

/** ECS's container credentials host (the relative URI is appended to it). */
export const ECS_CONTAINER_ORIGIN = 'http://169.254.170.2';
/** Hosts the SDK accepts plain http for in a full container credentials URI (besides loopback). */
const CONTAINER_HOSTS = new Set(['169.254.170.2', '169.254.170.23', '[fd00:ec2::23]']);
export const IMDS_IPV4_ORIGIN = 'http://169.254.169.254';
export const IMDS_IPV6_ORIGIN = 'http://[fd00:ec2::254]';

/** Where the connector's ambient credentials come from, with everything the lookup touches. */
export type AmbientSource =
  | { readonly kind: 'environment'; readonly credentials: AwsCredentialIdentity }
  | { readonly kind: 'web-identity'; readonly tokenFile: string; readonly roleArn: string; readonly sessionName: string; readonly stsUrl: string }
  | { readonly kind: 'container'; readonly url: string; readonly authToken?: string; readonly authTokenFile?: string }
  | { readonly kind: 'instance-metadata'; readonly origin: string }
  | { readonly kind: 'unavailable'; readonly reason: string };

/** What the lookup needs from the grant: exact dial addresses and exact files to read. */
export interface AmbientNeeds {
  readonly dial: readonly string[];
  readonly read: readonly string[];
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };

/** Canonical `host:port` of an http(s) URL, or null. */
export function dialAddressOfUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  const port = url.port === '' ? DEFAULT_PORTS[url.protocol] : url.port;
  return port === undefined ? null : canonicalDialAddress(`${url.hostname}:${port}`);
}

const set = (env: Env, name: string): string | undefined => {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
};

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

function dnsSuffix(region: string): string {
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
}

function webIdentity(env: Env, region: string): AmbientSource | null {
  const tokenFile = set(env, 'AWS_WEB_IDENTITY_TOKEN_FILE');
  const roleArn = set(env, 'AWS_ROLE_ARN');
  if (tokenFile === undefined && roleArn === undefined) return null;
  if (tokenFile === undefined || roleArn === undefined) {
    return { kind: 'unavailable', reason: `web identity needs both AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN; only ${tokenFile === undefined ? 'AWS_ROLE_ARN' : 'AWS_WEB_IDENTITY_TOKEN_FILE'} is set` };
  }
  if (!tokenFile.startsWith('/')) return { kind: 'unavailable', reason: `AWS_WEB_IDENTITY_TOKEN_FILE must be an absolute path, got ${JSON.stringify(tokenFile)}` };
  const override = set(env, 'AWS_ENDPOINT_URL_STS');
  if (override !== undefined) {
    const problem = endpointProblem(override);
    if (problem !== null) return { kind: 'unavailable', reason: `AWS_ENDPOINT_URL_STS ${problem}` };
  }
  const stsUrl = override === undefined ? `https://sts.${region}.${dnsSuffix(region)}` : new URL(override).origin;
  return { kind: 'web-identity', tokenFile, roleArn, sessionName: set(env, 'AWS_ROLE_SESSION_NAME') ?? 'cert-deployer', stsUrl };
}

function container(env: Env): AmbientSource | null {
  const relative = set(env, 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI');
  const full = set(env, 'AWS_CONTAINER_CREDENTIALS_FULL_URI');
  if (relative === undefined && full === undefined) return null;
  // The SDK's precedence: the relative URI wins over the full one.
  const raw = relative !== undefined ? `${ECS_CONTAINER_ORIGIN}${relative.startsWith('/') ? '' : '/'}${relative}` : (full as string);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { kind: 'unavailable', reason: 'the container credentials URI is not a URL' };
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (CONTAINER_HOSTS.has(url.hostname) || isLoopback(url.hostname)))) {
    return { kind: 'unavailable', reason: 'AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to loopback, 169.254.170.2, 169.254.170.23 or [fd00:ec2::23]' };
  }
  if (url.username !== '' || url.password !== '') return { kind: 'unavailable', reason: 'the container credentials URI must not carry user:password' };
  const tokenFile = set(env, 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE');
  const token = set(env, 'AWS_CONTAINER_AUTHORIZATION_TOKEN');
  if (tokenFile !== undefined) {
    if (!tokenFile.startsWith('/')) return { kind: 'unavailable', reason: `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE must be an absolute path, got ${JSON.stringify(tokenFile)}` };
    return { kind: 'container', url: url.href, authTokenFile: tokenFile };
  }
  if (token !== undefined && /[\r\n]/.test(token)) return { kind: 'unavailable', reason: 'AWS_CONTAINER_AUTHORIZATION_TOKEN contains a line break' };
  return { kind: 'container', url: url.href, ...(token === undefined ? {} : { authToken: token }) };
}

function instanceMetadata(env: Env): AmbientSource {
  const disabled = set(env, 'AWS_EC2_METADATA_DISABLED');
  if (disabled !== undefined && disabled.toLowerCase() !== 'false') {
    return { kind: 'unavailable', reason: 'no ambient AWS identity: no web identity (IRSA), no container credentials (EKS Pod Identity, ECS), and instance metadata is disabled (AWS_EC2_METADATA_DISABLED)' };
  }
  const endpoint = set(env, 'AWS_EC2_METADATA_SERVICE_ENDPOINT');
  if (endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      return { kind: 'unavailable', reason: 'AWS_EC2_METADATA_SERVICE_ENDPOINT is not a URL' };
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '') {
      return { kind: 'unavailable', reason: 'AWS_EC2_METADATA_SERVICE_ENDPOINT must be an http(s) URL without user:password' };
    }
    return { kind: 'instance-metadata', origin: url.origin };
  }
  const mode = set(env, 'AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE')?.toLowerCase();
  return { kind: 'instance-metadata', origin: mode === 'ipv6' ? IMDS_IPV6_ORIGIN : IMDS_IPV4_ORIGIN };
}

/** The ambient source the environment selects, in the SDK default chain's order. Pure. */
export function ambientSource(env: Env, region: string): AmbientSource {
  const accessKeyId = set(env, 'AWS_ACCESS_KEY_ID');
  const secretAccessKey = set(env, 'AWS_SECRET_ACCESS_KEY');
  if (accessKeyId !== undefined && secretAccessKey !== undefined) {
    const sessionToken = set(env, 'AWS_SESSION_TOKEN');
    return { kind: 'environment', credentials: { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) } };
  }
  const found = webIdentity(env, region) ?? container(env);
  if (found !== null) return found;
  if (set(env, 'AWS_PROFILE') !== undefined) {
    return {
      kind: 'unavailable',
      reason: 'AWS_PROFILE is set, but shared config and credentials files (and the SSO and credential_process sources they name) are read and run outside the sandbox, so cert-deployer does not use them: use IRSA, EKS Pod Identity, or a credentialsRef',
    };
  }
  return instanceMetadata(env);
}

/** The addresses and files `source`'s lookup touches: what `capabilities()` declares. Pure. */
export function ambientNeeds(source: AmbientSource): AmbientNeeds {
  const dial = (url: string): string[] => {
    const a = dialAddressOfUrl(url);
    return a === null ? [] : [a];
  };
  switch (source.kind) {
    case 'web-identity':
      return { dial: dial(source.stsUrl), read: [source.tokenFile] };
    case 'container':
      return { dial: dial(source.url), read: source.authTokenFile === undefined ? [] : [source.authTokenFile] };
    case 'instance-metadata':
      return { dial: dial(source.origin), read: [] };
    default:
      return { dial: [], read: [] };
  }
}

/** A short description for messages: which source, which address. Never a credential. */
export function describeSource(source: AmbientSource): string {
  switch (source.kind) {
    case 'environment':
      return 'environment access key';
    case 'web-identity':
      return `web identity (IRSA) via STS ${dialAddressOfUrl(source.stsUrl) ?? source.stsUrl}`;
    case 'container':
      return `container credentials at ${dialAddressOfUrl(source.url) ?? 'an invalid URL'}`;
    case 'instance-metadata':
      return `EC2 instance metadata at ${dialAddressOfUrl(source.origin) ?? source.origin}`;
    case 'unavailable':
      return 'no usable ambient identity';
  }
}

/**
 * Fetches ambient AWS credentials with the sandbox as the only door: token files through
 * `sandbox.readFile`, STS, container credentials and instance metadata through
 * `sandbox.request`. So every lookup is held to the effective grant (a DeniedError naming the
 * address or file before any socket opens or any byte is read), which the SDK's own providers
 * cannot be: they open their own sockets and read files with node:fs.
 *
 * The protocols are the documented ones: STS `AssumeRoleWithWebIdentity` (Query API, unsigned,
 * XML answer), the container credentials endpoint (GET with an optional `Authorization`
 * token, JSON answer) and IMDSv2 (PUT a session token, GET the role name, GET its
 * credentials). IMDSv1 is not used. Error messages name the source and the HTTP status or the
 * AWS error code, never a token or a key.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { retryable, terminal, type HttpResponse, type Sandbox } from '@cert-deployer/connector-sdk';
import { describeSource, type AmbientSource } from './ambient-source.ts';

/** Per-request timeout of a credential lookup (link-local endpoints answer in milliseconds). */
export const CREDENTIAL_REQUEST_TIMEOUT_MS = 10_000;
/** Lifetime asked for an IMDSv2 session token (the SDK's value). */
const IMDS_TOKEN_TTL_SECONDS = '21600';
const IMDS_ROLE_PATH = '/latest/meta-data/iam/security-credentials/';
/** Files the lookup reads are tokens of a few kilobytes; anything bigger is not one. */
const MAX_TOKEN_BYTES = 64 * 1024;

const decoder = new TextDecoder();

function statusError(what: string, res: HttpResponse, detail = ''): Error {
  const text = `${what} failed: HTTP ${res.status}${detail === '' ? '' : ` ${detail}`}`;
  return res.status >= 500 || res.status === 429 || res.status === 408 ? retryable(text) : terminal(text);
}

/** Reads a token file through the sandbox (so the read grant applies), trimmed. */
async function readToken(sandbox: Sandbox, path: string, what: string, signal: AbortSignal): Promise<string> {
  const bytes = await sandbox.readFile(path, { signal });
  if (bytes === null) throw retryable(`${what} ${path} does not exist (yet)`);
  if (bytes.byteLength > MAX_TOKEN_BYTES) throw terminal(`${what} ${path} is larger than ${MAX_TOKEN_BYTES} bytes; it is not a token`);
  const token = decoder.decode(bytes).trim();
  if (token === '' || /[\r\n]/.test(token)) throw terminal(`${what} ${path} is empty or spans several lines`);
  return token;
}

/** The JSON credentials document of the container endpoint and IMDS. */
export function parseCredentialDocument(body: Uint8Array, what: string): AwsCredentialIdentity {
  let doc: { AccessKeyId?: unknown; SecretAccessKey?: unknown; Token?: unknown; Expiration?: unknown; Code?: unknown };
  try {
    doc = JSON.parse(decoder.decode(body)) as typeof doc;
  } catch {
    throw retryable(`${what}: the answer is not JSON`);
  }
  if (typeof doc.Code === 'string' && doc.Code !== 'Success') throw retryable(`${what}: the endpoint reports ${doc.Code.slice(0, 60)}`);
  if (typeof doc.AccessKeyId !== 'string' || typeof doc.SecretAccessKey !== 'string' || doc.AccessKeyId === '' || doc.SecretAccessKey === '') {
    throw retryable(`${what}: the answer has no AccessKeyId and SecretAccessKey`);
  }
  const expiration = typeof doc.Expiration === 'string' ? new Date(doc.Expiration) : undefined;
  return {
    accessKeyId: doc.AccessKeyId,
    secretAccessKey: doc.SecretAccessKey,
    ...(typeof doc.Token === 'string' && doc.Token !== '' ? { sessionToken: doc.Token } : {}),
    ...(expiration !== undefined && !Number.isNaN(expiration.getTime()) ? { expiration } : {}),
  };
}

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The text of the first `<tag>` element in `xml`, entities decoded, or undefined. */
export function xmlText(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return m?.[1]?.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => XML_ENTITIES[e] ?? '');
}

/** STS AssumeRoleWithWebIdentity with the projected token read through the sandbox. */
async function webIdentity(sandbox: Sandbox, source: Extract<AmbientSource, { kind: 'web-identity' }>, signal: AbortSignal): Promise<AwsCredentialIdentity> {
  const token = await readToken(sandbox, source.tokenFile, 'the web identity token file', signal);
  const form = new URLSearchParams({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: source.roleArn, RoleSessionName: source.sessionName, WebIdentityToken: token });
  const res = await sandbox.request({
    url: `${source.stsUrl}/`,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'text/xml' },
    body: form.toString(),
    timeoutMs: CREDENTIAL_REQUEST_TIMEOUT_MS,
    signal,
  });
  const xml = decoder.decode(res.body);
  const what = `STS AssumeRoleWithWebIdentity for ${source.roleArn}`;
  if (res.status !== 200) {
    const code = xmlText(xml, 'Code');
    // IDPCommunicationError: STS could not reach the token issuer's keys; it may next time.
    if (code === 'IDPCommunicationError') throw retryable(`${what} failed: ${code}`);
    throw statusError(what, res, code === undefined ? '' : code.slice(0, 80));
  }
  const accessKeyId = xmlText(xml, 'AccessKeyId');
  const secretAccessKey = xmlText(xml, 'SecretAccessKey');
  const sessionToken = xmlText(xml, 'SessionToken');
  const expiration = xmlText(xml, 'Expiration');
  if (accessKeyId === undefined || secretAccessKey === undefined) throw retryable(`${what}: the answer has no Credentials`);
  return { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }), ...(expiration === undefined ? {} : { expiration: new Date(expiration) }) };
}

/** ECS / EKS Pod Identity container credentials. */
async function containerCredentials(sandbox: Sandbox, source: Extract<AmbientSource, { kind: 'container' }>, signal: AbortSignal): Promise<AwsCredentialIdentity> {
  const auth = source.authTokenFile !== undefined ? await readToken(sandbox, source.authTokenFile, 'the container authorization token file', signal) : source.authToken;
  const res = await sandbox.request({
    url: source.url,
    method: 'GET',
    headers: { accept: 'application/json', ...(auth === undefined ? {} : { authorization: auth }) },
    timeoutMs: CREDENTIAL_REQUEST_TIMEOUT_MS,
    signal,
  });
  const what = describeSource(source);
  if (res.status !== 200) throw statusError(what, res);
  return parseCredentialDocument(res.body, what);
}

/** IMDSv2: a session token, the instance profile's role name, then that role's credentials. */
async function instanceMetadata(sandbox: Sandbox, source: Extract<AmbientSource, { kind: 'instance-metadata' }>, signal: AbortSignal): Promise<AwsCredentialIdentity> {
  const what = describeSource(source);
  const base = { timeoutMs: CREDENTIAL_REQUEST_TIMEOUT_MS, signal };
  const session = await sandbox.request({ ...base, url: `${source.origin}/latest/api/token`, method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': IMDS_TOKEN_TTL_SECONDS } });
  if (session.status !== 200) throw statusError(`${what} (IMDSv2 session token)`, session);
  const headers = { 'x-aws-ec2-metadata-token': decoder.decode(session.body).trim() };
  const roles = await sandbox.request({ ...base, url: `${source.origin}${IMDS_ROLE_PATH}`, method: 'GET', headers });
  if (roles.status === 404) throw terminal(`${what}: the instance has no IAM role (instance profile); attach one, or use IRSA, EKS Pod Identity or a credentialsRef`);
  if (roles.status !== 200) throw statusError(`${what} (role name)`, roles);
  const role = decoder.decode(roles.body).split('\n')[0]?.trim() ?? '';
  if (!/^[\w+=,.@-]{1,128}$/.test(role)) throw retryable(`${what}: the role name it returned is not an IAM role name`);
  const creds = await sandbox.request({ ...base, url: `${source.origin}${IMDS_ROLE_PATH}${role}`, method: 'GET', headers });
  if (creds.status !== 200) throw statusError(`${what} (credentials of role ${role})`, creds);
  return parseCredentialDocument(creds.body, what);
}

/** One lookup of `source`'s credentials; terminal for a source that cannot be used. */
export async function fetchAmbientCredentials(source: AmbientSource, sandbox: Sandbox, signal: AbortSignal): Promise<AwsCredentialIdentity> {
  signal.throwIfAborted();
  switch (source.kind) {
    case 'environment':
      return source.credentials;
    case 'web-identity':
      return webIdentity(sandbox, source, signal);
    case 'container':
      return containerCredentials(sandbox, source, signal);
    case 'instance-metadata':
      return instanceMetadata(sandbox, source, signal);
    case 'unavailable':
      throw terminal(`awsAcm ambient identity: ${source.reason}`);
  }
}

/**
 * A credential provider for the ACM client of one deploy: the first call looks credentials up
 * through the sandbox, later calls reuse them (a deploy takes seconds; the credentials live
 * for an hour). A failed lookup is not cached.
 */
export function ambientCredentialProvider(source: AmbientSource, sandbox: Sandbox, signal: AbortSignal): AwsCredentialIdentityProvider {
  let pending: Promise<AwsCredentialIdentity> | undefined;
  return () => {
    pending ??= fetchAmbientCredentials(source, sandbox, signal).catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}

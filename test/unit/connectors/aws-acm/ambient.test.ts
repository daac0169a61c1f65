/**
 * Ambient identity (no credentialsRef, operator policy allows it), against a real moto server
 * for ACM and STS, and a recording listener on 127.0.0.1 standing in for EC2 instance metadata
 * and the ECS/EKS container credentials endpoint (selected through the SDK's documented
 * variables AWS_EC2_METADATA_SERVICE_ENDPOINT and AWS_CONTAINER_CREDENTIALS_FULL_URI).
 *
 * What is proven for each credential source: the connector declares the exact address (and
 * token file) its lookup touches, so the operator policy must list them (`grantShortfall`
 * names what is missing); a policy that leaves them out makes the deploy a DeniedError naming
 * the address or file, with ZERO connections to the listener and no ACM request; a policy
 * that lists them sees exactly the documented requests on the listener and a deploy into moto.
 * The environment is set in `process.env`, where the SDK's own default chain would look too:
 * before the fix, these lookups opened their own sockets and read the token files with node:fs.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { awsAcmConnector } from '../../../../src/connectors/aws-acm/index.ts';
import type { Connector } from '../../../../packages/connector-sdk/src/connector.ts';
import { grantShortfall } from '../../../../src/controller/grant-shortfall.ts';
import { effectiveGrant } from '../../../../packages/connector-sdk/src/sandbox/effective-grant.ts';
import { isDenied, type DeniedError } from '../../../../packages/connector-sdk/src/sandbox/errors.ts';
import type { Grant, Policy } from '../../../../packages/connector-sdk/src/sandbox/grant.ts';
import { mintCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { startRecordingListener, type RecordingListener } from '../../../support/cloud-identity/recording-listener.ts';
import { acmReader, startMoto, TEST_ACCESS_KEY, type MotoServer } from '../../../support/moto/index.ts';
import { deployOnce, type Outcome } from './support.ts';

const OWNER = '7f9e0a1b-3c2d-4e5f-8a9b-0c1d2e3f4a5b/acm';
const AWS_ENV = [
  'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN', 'AWS_ROLE_SESSION_NAME',
  'AWS_ENDPOINT_URL_STS', 'AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_EC2_METADATA_DISABLED', 'AWS_EC2_METADATA_SERVICE_ENDPOINT',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN', 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
];
const saved = Object.fromEntries(AWS_ENV.map((k) => [k, process.env[k]]));
const ROLE = 'cert-deployer-node';
/** What a metadata or container endpoint hands out: moto accepts any key. */
const CREDENTIAL_DOC = JSON.stringify({
  Code: 'Success', Type: 'AWS-HMAC', AccessKeyId: TEST_ACCESS_KEY.accessKeyId, SecretAccessKey: TEST_ACCESS_KEY.secretAccessKey,
  Token: 'session-token-from-the-endpoint', Expiration: new Date(Date.now() + 3_600_000).toISOString(),
});
const IMDS_TOKEN = 'imds-v2-session-token';
let moto: MotoServer;
let listener: RecordingListener;
let dir = '';

const ambientConnector = (): Connector => awsAcmConnector.create(awsAcmConnector.configSchema.parse({ region: 'us-east-1', endpoint: moto.endpoint }));
const ctx = { ownerId: OWNER, allowAmbientIdentity: true };

/** An environment with no AWS identity except what a test sets (no profile files). */
function cleanEnv(): void {
  for (const k of AWS_ENV) delete process.env[k];
  process.env.AWS_CONFIG_FILE = join(dir, 'no-config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'no-credentials');
}

/** A policy listing exactly `hosts` and `pathRoots`, with ambient identity allowed. */
const policy = (hosts: string[], pathRoots: string[] = []): Policy => ({ hosts, pathRoots, ambientCloudIdentity: true });

/** Deploys with the grant the controller would compute for `p`. */
async function deployUnder(c: Connector, p: Policy): Promise<Outcome> {
  const grant: Grant = effectiveGrant(c.capabilities(), p);
  return deployOnce(c, (await mintCredential()).deployment, ctx, { grant });
}

function deniedOf(o: Outcome): DeniedError {
  expect(o.ok, 'the deploy was expected to be denied').toBe(false);
  const e = o.ok ? undefined : o.error;
  expect(isDenied(e), String(e)).toBe(true);
  return e as DeniedError;
}

async function importedCount(): Promise<number> {
  const reader = acmReader(moto);
  try {
    return await reader.count();
  } finally {
    reader.client.destroy();
  }
}

beforeAll(async () => {
  moto = await startMoto();
  listener = await startRecordingListener();
  dir = await mkdtemp(join(tmpdir(), 'cd-acm-ambient-'));
}, 600_000);
beforeEach(async () => {
  cleanEnv();
  listener.reset();
  await moto.reset();
});
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});
afterAll(async () => {
  await listener?.close();
  await moto?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('awsAcm ambient identity: EC2 instance metadata (IMDSv2)', () => {
  beforeEach(() => {
    process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = listener.url;
    listener.answer((r) => {
      if (r.method === 'PUT' && r.path === '/latest/api/token') return { status: 200, body: IMDS_TOKEN };
      if (r.headers['x-aws-ec2-metadata-token'] !== IMDS_TOKEN) return { status: 401 };
      if (r.path === '/latest/meta-data/iam/security-credentials/') return { status: 200, body: ROLE };
      if (r.path === `/latest/meta-data/iam/security-credentials/${ROLE}`) return { status: 200, body: CREDENTIAL_DOC };
      return { status: 404 };
    });
  });

  it('declares the metadata address, so a policy without it is a GrantDenied naming it', () => {
    const c = ambientConnector();
    expect(c.capabilities()).toEqual({ read: [], write: [], exec: [], dial: [moto.address, listener.address] });
    expect(grantShortfall(c.capabilities(), policy([moto.address]))).toEqual([`dial ${listener.address}`]);
  });

  it('a policy without the metadata address: DeniedError naming it, no socket opened to it, nothing imported', async () => {
    const e = deniedOf(await deployUnder(ambientConnector(), policy([moto.address])));
    expect(e.subject).toBe(listener.address);
    expect(e.message).toContain(listener.address);
    expect(listener.connections).toBe(0);
    expect(await importedCount()).toBe(0);
  });

  it('a policy listing it: the IMDSv2 requests go through the sandbox and the import succeeds', async () => {
    const o = await deployUnder(ambientConnector(), policy([moto.address, listener.address]));
    expect(o.ok, o.ok ? '' : String(o.error)).toBe(true);
    expect(listener.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /latest/api/token',
      'GET /latest/meta-data/iam/security-credentials/',
      `GET /latest/meta-data/iam/security-credentials/${ROLE}`,
    ]);
    expect(listener.requests[0]?.headers['x-aws-ec2-metadata-token-ttl-seconds']).toBe('21600');
    expect(o.operations).toContain('ImportCertificate');
    expect(await importedCount()).toBe(1);
  });

  it('a non-AWS endpoint never gets requests signed with the pod\'s identity, even when the policy lists it: refused before the lookup', async () => {
    const c = awsAcmConnector.create(awsAcmConnector.configSchema.parse({ region: 'us-east-1', endpoint: 'https://acm.tenant-b.example' }));
    const grant = c.capabilities();
    expect(grant.dial).toEqual(['acm.tenant-b.example:443', listener.address]);
    const o = await deployUnder(c, policy([...grant.dial]));
    expect(o.ok ? undefined : o.error).toMatchObject({ code: 'CD_ERR_CONNECTOR', retryable: false, message: expect.stringMatching(/refusing to sign requests for acm\.tenant-b\.example/) });
    expect(listener.connections).toBe(0);
    expect(o.operations).toEqual([]);
  });

  it('an instance without a role is terminal and says what to attach', async () => {
    listener.answer((r) => (r.method === 'PUT' ? { status: 200, body: IMDS_TOKEN } : { status: 404 }));
    const o = await deployUnder(ambientConnector(), policy([moto.address, listener.address]));
    expect(o.ok).toBe(false);
    expect(o.ok ? undefined : o.error).toMatchObject({ code: 'CD_ERR_CONNECTOR', retryable: false, message: expect.stringMatching(/no IAM role/) });
  });
});

describe('awsAcm ambient identity: EKS Pod Identity / ECS container credentials', () => {
  let tokenFile = '';
  beforeEach(async () => {
    tokenFile = join(dir, 'eks-pod-identity-token');
    await writeFile(tokenFile, 'pod-identity-token-value\n');
    process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `${listener.url}/v1/credentials`;
    process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE = tokenFile;
    listener.answer((r) => (r.path === '/v1/credentials' && r.headers.authorization === 'pod-identity-token-value' ? { status: 200, body: CREDENTIAL_DOC } : { status: 403 }));
  });

  it('declares the endpoint and the authorization token file', () => {
    expect(ambientConnector().capabilities()).toEqual({ read: [tokenFile], write: [], exec: [], dial: [moto.address, listener.address] });
  });

  it('a policy without the endpoint: DeniedError naming it, no socket opened to it', async () => {
    const e = deniedOf(await deployUnder(ambientConnector(), policy([moto.address], [tokenFile])));
    expect(e.subject).toBe(listener.address);
    expect(listener.connections).toBe(0);
    expect(await importedCount()).toBe(0);
  });

  it('a policy without the token file: DeniedError on the read, nothing sent anywhere', async () => {
    const e = deniedOf(await deployUnder(ambientConnector(), policy([moto.address, listener.address])));
    expect(e.capability).toBe('file.read');
    expect(e.message).toContain(tokenFile);
    expect(listener.connections).toBe(0);
  });

  it('a policy listing both: one GET with the token as Authorization, then the import', async () => {
    const o = await deployUnder(ambientConnector(), policy([moto.address, listener.address], [tokenFile]));
    expect(o.ok, o.ok ? '' : String(o.error)).toBe(true);
    expect(listener.requests.map((r) => `${r.method} ${r.path} ${r.headers.authorization}`)).toEqual(['GET /v1/credentials pod-identity-token-value']);
    expect(await importedCount()).toBe(1);
  });

  it('a full URI over plain http to a non-container, non-loopback host is refused before any I/O', async () => {
    process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = 'http://198.51.100.7/creds';
    const c = ambientConnector();
    expect(c.capabilities().dial).toEqual([moto.address]);
    const o = await deployOnce(c, (await mintCredential()).deployment, ctx);
    expect(o.ok ? undefined : o.error).toMatchObject({ retryable: false, message: expect.stringMatching(/AWS_CONTAINER_CREDENTIALS_FULL_URI must be https/) });
    expect(o.operations).toEqual([]);
  });
});

describe('awsAcm ambient identity: IRSA (web identity token file, STS)', () => {
  let tokenFile = '';
  beforeEach(async () => {
    tokenFile = join(dir, 'token');
    await writeFile(tokenFile, 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6Y2VydC1kZXBsb3llcjpjZXJ0LWRlcGxveWVyIn0.c2ln');
    process.env.AWS_WEB_IDENTITY_TOKEN_FILE = tokenFile;
    process.env.AWS_ROLE_ARN = 'arn:aws:iam::123456789012:role/cert-deployer';
    process.env.AWS_ROLE_SESSION_NAME = 'cert-deployer';
  });

  it('declares the regional STS endpoint and the token file', () => {
    const c = awsAcmConnector.create(awsAcmConnector.configSchema.parse({ region: 'eu-west-1' }));
    expect(c.capabilities()).toEqual({ read: [tokenFile], write: [], exec: [], dial: ['acm.eu-west-1.amazonaws.com:443', 'sts.eu-west-1.amazonaws.com:443'] });
  });

  it('an STS address outside the policy: DeniedError naming it, no socket opened to it', async () => {
    process.env.AWS_ENDPOINT_URL_STS = listener.url;
    const e = deniedOf(await deployUnder(ambientConnector(), policy([moto.address], [tokenFile])));
    expect(e.subject).toBe(listener.address);
    expect(listener.connections).toBe(0);
  });

  it('a policy without the token file: DeniedError on the read, no STS call', async () => {
    process.env.AWS_ENDPOINT_URL_STS = moto.endpoint;
    const o = await deployUnder(ambientConnector(), policy([moto.address]));
    const e = deniedOf(o);
    expect(e.capability).toBe('file.read');
    expect(e.subject).toBe(tokenFile);
    expect(o.operations).toEqual([]);
  });

  it('a policy listing both: AssumeRoleWithWebIdentity and the import go through the sandbox and succeed', async () => {
    process.env.AWS_ENDPOINT_URL_STS = moto.endpoint;
    const o = await deployUnder(ambientConnector(), policy([moto.address], [tokenFile]));
    expect(o.ok, o.ok ? '' : String(o.error)).toBe(true);
    expect(o.operations[0]).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(o.operations).toContain('ImportCertificate');
    expect(await importedCount()).toBe(1);
  });
});

describe('awsAcm ambient identity: other sources', () => {
  it('environment credentials need nothing beyond the ACM endpoint and deploy', async () => {
    process.env.AWS_ACCESS_KEY_ID = TEST_ACCESS_KEY.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = TEST_ACCESS_KEY.secretAccessKey;
    const c = ambientConnector();
    expect(c.capabilities().dial).toEqual([moto.address]);
    const o = await deployUnder(c, policy([moto.address]));
    expect(o.ok, o.ok ? '' : String(o.error)).toBe(true);
    expect(await importedCount()).toBe(1);
  });

  it('without any source (metadata disabled) the deploy is refused with the reason, before any request', async () => {
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    const o = await deployOnce(ambientConnector(), (await mintCredential()).deployment, ctx);
    expect(o.ok ? undefined : o.error).toMatchObject({ code: 'CD_ERR_CONNECTOR', retryable: false, message: expect.stringMatching(/instance metadata is disabled/) });
    expect(o.operations).toEqual([]);
  });

  it('AWS_PROFILE is refused with the reason (profile files, SSO and credential_process run outside the sandbox)', async () => {
    process.env.AWS_PROFILE = 'prod';
    const o = await deployOnce(ambientConnector(), (await mintCredential()).deployment, ctx);
    expect(o.ok ? undefined : o.error).toMatchObject({ retryable: false, message: expect.stringMatching(/AWS_PROFILE is set.*outside the sandbox/) });
    expect(o.operations).toEqual([]);
  });

  it('with ambient identity not allowed by the policy nothing is looked up', async () => {
    process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = listener.url;
    const c = ambientConnector();
    const o = await deployOnce(c, (await mintCredential()).deployment, { ownerId: OWNER, allowAmbientIdentity: false });
    expect(o.ok ? undefined : o.error).toMatchObject({ retryable: false, message: expect.stringMatching(/does not allow ambient cloud identity/) });
    expect(listener.connections).toBe(0);
  });
});

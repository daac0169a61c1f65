/**
 * Ambient identity (no credentialsRef, operator policy allows it): the SDK's default provider
 * chain supplies credentials. Against a real moto server: environment credentials, and IRSA's
 * web-identity flow, whose STS AssumeRoleWithWebIdentity call goes through the connector's
 * sandboxed request handler — so it is held to the dial grant (DeniedError for an STS address
 * outside it) and succeeds when the grant covers it. moto's STS accepts any token: this
 * verifies the routing, not AWS's token validation.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { awsAcmConnector } from '../../../../src/connectors/aws-acm/index.ts';
import type { DeniedError } from '../../../../src/sandbox/errors.ts';
import { isDenied } from '../../../../src/sandbox/errors.ts';
import { mintCredential } from '../../../conformance/credentials.ts';
import { acmReader, startMoto, TEST_ACCESS_KEY, type MotoServer } from '../../../support/moto/index.ts';
import { deployOnce } from './support.ts';

const OWNER = '7f9e0a1b-3c2d-4e5f-8a9b-0c1d2e3f4a5b/acm';
const AWS_ENV = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN', 'AWS_ROLE_SESSION_NAME', 'AWS_ENDPOINT_URL_STS', 'AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_EC2_METADATA_DISABLED'];
const saved = Object.fromEntries(AWS_ENV.map((k) => [k, process.env[k]]));
let moto: MotoServer;
let dir = '';

const ambientConnector = () => awsAcmConnector.create(awsAcmConnector.configSchema.parse({ region: 'us-east-1', endpoint: moto.endpoint }));
const ctx = { ownerId: OWNER, allowAmbientIdentity: true };

/** An environment with no AWS identity except what a test sets (no profile files, no instance metadata). */
function cleanEnv(): void {
  for (const k of AWS_ENV) delete process.env[k];
  process.env.AWS_CONFIG_FILE = join(dir, 'no-config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'no-credentials');
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
}

beforeAll(async () => {
  moto = await startMoto();
  dir = await mkdtemp(join(tmpdir(), 'cd-acm-ambient-'));
}, 600_000);
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});
afterAll(async () => {
  await moto?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('awsAcm with ambient identity', () => {
  it('the grant adds the regional STS endpoint only when there is no credentialsRef', () => {
    expect(ambientConnector().capabilities().dial).toEqual([moto.address, 'sts.us-east-1.amazonaws.com:443']);
    const withRef = awsAcmConnector.create(awsAcmConnector.configSchema.parse({ region: 'us-east-1', endpoint: moto.endpoint, credentialsRef: { name: 'x' } }));
    expect(withRef.capabilities().dial).toEqual([moto.address]);
  });

  it('environment credentials from the default chain deploy', async () => {
    cleanEnv();
    process.env.AWS_ACCESS_KEY_ID = TEST_ACCESS_KEY.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = TEST_ACCESS_KEY.secretAccessKey;
    await moto.reset();
    const a = await mintCredential();
    const o = await deployOnce(ambientConnector(), a.deployment, ctx);
    expect(o.ok, o.ok ? '' : String(o.error)).toBe(true);
    const reader = acmReader(moto);
    expect((await reader.list()).map((c) => c.fingerprint)).toEqual([a.deployment.fingerprint]);
    reader.client.destroy();
  });

  describe('IRSA (web identity token file)', () => {
    async function irsaEnv(): Promise<void> {
      cleanEnv();
      const token = join(dir, 'token');
      await writeFile(token, 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6Y2VydC1kZXBsb3llcjpjZXJ0LWRlcGxveWVyIn0.c2ln');
      process.env.AWS_WEB_IDENTITY_TOKEN_FILE = token;
      process.env.AWS_ROLE_ARN = 'arn:aws:iam::123456789012:role/cert-deployer';
      process.env.AWS_ROLE_SESSION_NAME = 'cert-deployer';
      // Where the SDK sends STS: here, moto (in a cluster: the regional endpoint in the grant).
      process.env.AWS_ENDPOINT_URL_STS = moto.endpoint;
    }

    it('the STS call goes through the sandbox: an STS address outside the grant is a DeniedError', async () => {
      await irsaEnv();
      const connector = ambientConnector();
      // The connector's own grant names the real regional STS endpoint, not moto's address.
      const o = await deployOnce(connector, (await mintCredential()).deployment, ctx, { grant: { read: [], write: [], exec: [], dial: ['sts.us-east-1.amazonaws.com:443'] } });
      expect(o.ok).toBe(false);
      expect(isDenied(o.ok ? undefined : o.error), o.ok ? '' : String(o.error)).toBe(true);
      expect((o as { error: DeniedError }).error.subject).toBe(moto.address);
      // The one request attempted carried no X-Amz-Target: STS (Query protocol), not ACM.
      expect(o.operations).toHaveLength(1);
      expect(o.operations[0]).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/$/);
    });

    it('with STS in the grant, AssumeRoleWithWebIdentity and the import go through the sandbox and succeed', async () => {
      await irsaEnv();
      await moto.reset();
      const a = await mintCredential();
      const o = await deployOnce(ambientConnector(), a.deployment, ctx);
      expect(o.ok, o.ok ? '' : String(o.error)).toBe(true);
      expect(o.operations[0]).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(o.operations).toContain('ImportCertificate');
      const reader = acmReader(moto);
      expect(await reader.count()).toBe(1);
      reader.client.destroy();
    });
  });
});

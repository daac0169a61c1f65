/**
 * Error classification and refusals of the awsAcm connector. Authentication and permission
 * failures come from a real moto server with IAM enforced (it verifies SigV4 signatures and
 * evaluates IAM policies); throttling, 5xx and "in use" come from a loopback fake of ACM's
 * wire format (fake-acm.ts), because moto never produces them. Refusals that need no server
 * (Ed25519, policy, Secrets) are checked to make no request at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertDeployerError, ErrorCode, isDenied } from '../../../../packages/connector-sdk/src/sandbox/errors.ts';
import { awsAcmConnector, OWNER_TAG_KEY } from '../../../../src/connectors/aws-acm/index.ts';
import { parseTlsSecret } from '../../../../packages/connector-sdk/src/credential/index.ts';
import type { DeployContext } from '../../../../packages/connector-sdk/src/connector.ts';
import { mintCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { mintChain } from '../../../support/certs/index.ts';
import { freePort } from '../../../support/control-plane/ports.ts';
import { acmReader, bootstrapIam, createUser, startMoto, type AccessKey, type MotoServer } from '../../../support/moto/index.ts';
import { awsError, startFakeAcm, type FakeAcm } from './fake-acm.ts';
import { acmConnector, credentialSecrets, deployOnce, undeployOnce, type Outcome } from './support.ts';

const OWNER = '0d4c2a61-1f7e-4a1b-8f5e-2b1a9e3c4d5f/acm';
const ctx = (extra: Partial<DeployContext> = {}): DeployContext => ({ ownerId: OWNER, secrets: credentialSecrets(), ...extra });
const keySecrets = (k: AccessKey) => credentialSecrets({ aws_access_key_id: k.accessKeyId, aws_secret_access_key: k.secretAccessKey });

/** The classification the controller would see. */
function classified(o: Outcome): { retryable: unknown; code: unknown; message: string } {
  if (o.ok) throw new Error(`deploy was expected to fail but returned ${JSON.stringify(o.result)}`);
  expect(o.error, String(o.error)).toBeInstanceOf(CertDeployerError);
  const e = o.error as CertDeployerError;
  return { retryable: e.retryable, code: e.code, message: e.message };
}

/** Every action the IAM policy in docs/connectors/aws-acm.md grants. */
const ALL_ACTIONS = [
  'acm:ImportCertificate', 'acm:GetCertificate', 'acm:DescribeCertificate', 'acm:ListCertificates',
  'acm:ListTagsForCertificate', 'acm:AddTagsToCertificate', 'acm:DeleteCertificate',
];

describe('awsAcm against moto with IAM enforced', () => {
  let moto: MotoServer;
  let admin: AccessKey;
  beforeAll(async () => {
    moto = await startMoto({ iamAuth: true });
    admin = await bootstrapIam(moto);
  }, 600_000);
  afterAll(async () => {
    await moto?.stop();
  });

  it('with the documented policy: deploy, replay and undeploy succeed (moto verified every SigV4 signature)', async () => {
    const key = await createUser(moto, admin, 'deployer', ALL_ACTIONS);
    const a = await mintCredential();
    const first = await deployOnce(acmConnector(moto.endpoint), a.deployment, ctx({ secrets: keySecrets(key) }));
    expect(first.ok, first.ok ? '' : String(first.error)).toBe(true);
    const arn = first.ok ? first.result.remoteId : undefined;
    const replay = await deployOnce(acmConnector(moto.endpoint), a.deployment, ctx({ secrets: keySecrets(key), ...(arn ? { remoteId: arn } : {}) }));
    expect(replay.ok && replay.result.changed).toBe(false);
    const gone = await undeployOnce(acmConnector(moto.endpoint), ctx({ secrets: keySecrets(key), ...(arn ? { remoteId: arn } : {}) }));
    expect(gone.ok, String(gone.error)).toBe(true);
    expect(gone.operations).toContain('DeleteCertificate');
  });

  it('an unknown access key is terminal', async () => {
    const a = await mintCredential();
    const o = await deployOnce(acmConnector(moto.endpoint), a.deployment, ctx({ secrets: keySecrets({ accessKeyId: 'AKIANOTKNOWNTOMOTO00', secretAccessKey: 'x' }) }));
    expect(classified(o)).toMatchObject({ retryable: false, code: ErrorCode.Connector });
    expect(classified(o).message).toMatch(/ACM ListCertificates failed: UnreadableResponse: .*\(HTTP 403/);
  });

  it('a wrong secret access key is terminal', async () => {
    const key = await createUser(moto, admin, 'wrong-secret', ALL_ACTIONS);
    const a = await mintCredential();
    const o = await deployOnce(acmConnector(moto.endpoint), a.deployment, ctx({ secrets: keySecrets({ ...key, secretAccessKey: `${key.secretAccessKey}x` }) }));
    expect(classified(o)).toMatchObject({ retryable: false });
  });

  it('without acm:ListTagsForCertificate the deploy fails closed: terminal, and nothing is imported', async () => {
    const key = await createUser(moto, admin, 'no-list-tags', ALL_ACTIONS.filter((x) => x !== 'acm:ListTagsForCertificate'));
    const other = await mintCredential({ name: 'Other' });
    const reader = acmReader(moto);
    reader.client.config.credentials = async () => admin;
    await reader.importForeign(other.deployment.certificatePem, other.keyPem, { [OWNER_TAG_KEY]: 'someone-else/x' });
    const before = await reader.count();
    const a = await mintCredential();
    const o = await deployOnce(acmConnector(moto.endpoint), a.deployment, ctx({ secrets: keySecrets(key) }));
    expect(classified(o)).toMatchObject({ retryable: false });
    expect(classified(o).message).toMatch(/ListTagsForCertificate/);
    expect(o.operations).not.toContain('ImportCertificate');
    expect(await reader.count()).toBe(before);
    reader.client.destroy();
  });

  it('without acm:ImportCertificate the deploy is terminal and names the action', async () => {
    const key = await createUser(moto, admin, 'no-import', ALL_ACTIONS.filter((x) => x !== 'acm:ImportCertificate'));
    const a = await mintCredential();
    const o = await deployOnce(acmConnector(moto.endpoint), a.deployment, ctx({ secrets: keySecrets(key) }));
    expect(classified(o)).toMatchObject({ retryable: false });
    expect(classified(o).message).toMatch(/ImportCertificate/);
  });
});

describe('awsAcm against moto: a refused import', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMoto();
  }, 600_000);
  afterAll(async () => {
    await moto?.stop();
  });

  it('is terminal and ACM keeps the previous certificate in the same ARN (ImportCertificate is all or nothing)', async () => {
    const a = await mintCredential({ name: 'A' });
    const first = await deployOnce(acmConnector(moto.endpoint), a.deployment, ctx());
    const arn = first.ok ? first.result.remoteId : undefined;
    expect(arn).toBeDefined();
    // B is valid from tomorrow on: ACM (and moto) refuse certificates outside their validity.
    const tomorrow = new Date(Date.now() + 86_400_000);
    const b = await mintChain({ name: 'B', notBefore: tomorrow, notAfter: new Date(tomorrow.getTime() + 30 * 86_400_000) });
    const future = parseTlsSecret({ 'tls.crt': [b.leafPem, ...b.intermediatePems].join(''), 'tls.key': b.keyPem }, { now: new Date(tomorrow.getTime() + 3_600_000) });
    const o = await deployOnce(acmConnector(moto.endpoint), future, ctx({ ...(arn ? { remoteId: arn } : {}) }));
    expect(classified(o)).toMatchObject({ retryable: false });
    expect(classified(o).message).toMatch(/ValidationException/);
    expect(classified(o).message).not.toMatch(/BEGIN|PRIVATE/);
    const reader = acmReader(moto);
    expect((await reader.list()).map((c) => [c.arn, c.fingerprint])).toEqual([[arn, a.deployment.fingerprint]]);
    reader.client.destroy();
  });
});

describe('awsAcm against a fake of ACM\'s wire format', () => {
  let fake: FakeAcm;
  const ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
  beforeAll(async () => {
    fake = await startFakeAcm();
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('throttling is retryable (after the SDK\'s own retries)', async () => {
    fake.on('ListCertificates', () => awsError(400, 'ThrottlingException', 'Rate exceeded'));
    const o = await deployOnce(acmConnector(fake.endpoint), (await mintCredential()).deployment, ctx());
    expect(classified(o)).toMatchObject({ retryable: true, code: ErrorCode.Connector });
    expect(classified(o).message).toMatch(/ThrottlingException: Rate exceeded \(HTTP 400, request id req-\d+\)/);
    expect(o.operations.filter((x) => x === 'ListCertificates')).toHaveLength(3);
  });

  it('5xx is retryable, with or without a body', async () => {
    for (const reply of [awsError(500, 'InternalFailure'), { status: 503 }]) {
      fake.on('ListCertificates', () => reply);
      const o = await deployOnce(acmConnector(fake.endpoint), (await mintCredential()).deployment, ctx());
      expect(classified(o).retryable, JSON.stringify(reply)).toBe(true);
    }
  });

  it('AccessDeniedException is terminal and says which action the identity needs', async () => {
    fake.on('ListCertificates', () => awsError(400, 'AccessDeniedException', 'User is not authorized to perform acm:ListCertificates'));
    const o = await deployOnce(acmConnector(fake.endpoint), (await mintCredential()).deployment, ctx());
    expect(classified(o)).toMatchObject({ retryable: false });
    expect(classified(o).message).toMatch(/needs acm:ListCertificates/);
  });

  it('the import quota (LimitExceededException) is terminal', async () => {
    fake.on('ListCertificates', () => ({ status: 200, body: { CertificateSummaryList: [] } }));
    fake.on('ImportCertificate', () => awsError(400, 'LimitExceededException', 'quota'));
    const o = await deployOnce(acmConnector(fake.endpoint), (await mintCredential()).deployment, ctx());
    expect(classified(o)).toMatchObject({ retryable: false });
    expect(classified(o).message).toMatch(/quota/);
  });

  it('ListCertificates asks for every key type, pages through NextToken, and finds the owned certificate on a later page', async () => {
    const a = await mintCredential();
    fake.calls.length = 0;
    fake.on('ListCertificates', (input) =>
      input.NextToken === undefined
        ? { status: 200, body: { CertificateSummaryList: [{ CertificateArn: `${ARN}0`, Type: 'IMPORTED' }, { CertificateArn: `${ARN}9`, Type: 'AMAZON_ISSUED' }], NextToken: 'page-2' } }
        : { status: 200, body: { CertificateSummaryList: [{ CertificateArn: ARN, Type: 'IMPORTED' }] } },
    );
    fake.on('ListTagsForCertificate', (input) => ({ status: 200, body: { Tags: input.CertificateArn === ARN ? [{ Key: OWNER_TAG_KEY, Value: OWNER }] : [] } }));
    fake.on('GetCertificate', () => ({ status: 200, body: { Certificate: a.deployment.certificatePem, CertificateChain: '' } }));
    fake.on('ImportCertificate', (input) => ({ status: 200, body: { CertificateArn: input.CertificateArn } }));
    const o = await deployOnce(acmConnector(fake.endpoint), a.deployment, ctx());
    expect(o.ok, o.ok ? '' : String(o.error)).toBe(true);
    const lists = fake.calls.filter((c) => c.operation === 'ListCertificates');
    expect(lists.map((c) => c.input.NextToken)).toEqual([undefined, 'page-2']);
    expect(lists[0]?.input).toMatchObject({ MaxItems: 1000, Includes: { keyTypes: expect.arrayContaining(['RSA_2048', 'EC_prime256v1', 'EC_secp384r1', 'RSA_4096']) } });
    expect((lists[0]?.input.Includes as { keyTypes: string[] }).keyTypes).toHaveLength(7);
    // The AMAZON_ISSUED certificate is never looked at; the import goes into the owned ARN, without Tags.
    expect(fake.calls.filter((c) => c.operation === 'ListTagsForCertificate').map((c) => c.input.CertificateArn)).toEqual([`${ARN}0`, ARN, ARN]);
    const imports = fake.calls.filter((c) => c.operation === 'ImportCertificate');
    expect(imports).toHaveLength(1);
    expect(imports[0]?.input.CertificateArn).toBe(ARN);
    expect(imports[0]?.input.Tags).toBeUndefined();
  });

  it('undeploy of a certificate in use is retryable and names who uses it', async () => {
    fake.on('ListCertificates', () => ({ status: 200, body: { CertificateSummaryList: [] } }));
    fake.on('ListTagsForCertificate', () => ({ status: 200, body: { Tags: [{ Key: OWNER_TAG_KEY, Value: OWNER }] } }));
    fake.on('DeleteCertificate', () => awsError(400, 'ResourceInUseException', 'Certificate is in use'));
    const lb = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/0123456789abcdef';
    fake.on('DescribeCertificate', () => ({ status: 200, body: { Certificate: { CertificateArn: ARN, InUseBy: [lb] } } }));
    const o = await undeployOnce(acmConnector(fake.endpoint), ctx({ remoteId: ARN }));
    expect(o.ok).toBe(false);
    expect((o.error as CertDeployerError).retryable).toBe(true);
    expect((o.error as Error).message).toContain(lb);
  });
});

describe('awsAcm refusals before any request', () => {
  it('an unreachable endpoint is retryable (CD_ERR_UNREACHABLE from the sandbox, unwrapped)', async () => {
    const port = await freePort();
    const o = await deployOnce(acmConnector(`http://127.0.0.1:${port}`), (await mintCredential()).deployment, ctx());
    expect(classified(o)).toMatchObject({ retryable: true, code: ErrorCode.Unreachable });
  });

  it('the endpoint outside the grant is the sandbox\'s DeniedError', async () => {
    const port = await freePort();
    const o = await deployOnce(acmConnector(`http://127.0.0.1:${port}`), (await mintCredential()).deployment, ctx(), { grant: { read: [], write: [], dial: [], exec: [] } });
    expect(o.ok).toBe(false);
    expect(isDenied(o.ok ? undefined : o.error)).toBe(true);
  });

  it('an Ed25519 key is terminal, with no request', async () => {
    const o = await deployOnce(acmConnector('http://127.0.0.1:9'), (await mintCredential({ keyAlgorithm: 'ed25519' })).deployment, ctx());
    expect(classified(o)).toMatchObject({ retryable: false });
    expect(classified(o).message).toMatch(/ed25519.*RSA and ECDSA/);
    expect(o.operations).toEqual([]);
  });

  it('no credentialsRef while the operator policy forbids ambient identity: terminal, with no request', async () => {
    const connector = awsAcmConnector.create(awsAcmConnector.configSchema.parse({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }));
    for (const allow of [false, undefined]) {
      const o = await deployOnce(connector, (await mintCredential()).deployment, { ownerId: OWNER, ...(allow === undefined ? {} : { allowAmbientIdentity: allow }) });
      expect(classified(o)).toMatchObject({ retryable: false });
      expect(classified(o).message).toMatch(/ambientCloudIdentity/);
      expect(o.operations).toEqual([]);
    }
  });

  it('a missing credentials Secret is retryable; a Secret without the keys, or with a malformed key id, is terminal', async () => {
    const dep = (await mintCredential()).deployment;
    const missing = await deployOnce(acmConnector('http://127.0.0.1:9'), dep, ctx({ secrets: new Map() }));
    expect(classified(missing)).toMatchObject({ retryable: true });
    expect(classified(missing).message).toMatch(/aws-credentials.*not found/);
    const noSecretKey = await deployOnce(acmConnector('http://127.0.0.1:9'), dep, ctx({ secrets: credentialSecrets({ aws_access_key_id: 'AKIACERTDEPLOYERTEST' }) }));
    expect(classified(noSecretKey)).toMatchObject({ retryable: false });
    expect(classified(noSecretKey).message).toMatch(/lacks aws_secret_access_key/);
    const badId = await deployOnce(acmConnector('http://127.0.0.1:9'), dep, ctx({ secrets: credentialSecrets({ aws_access_key_id: 'not a key', aws_secret_access_key: 'x' }) }));
    expect(classified(badId)).toMatchObject({ retryable: false });
    for (const o of [missing, noSecretKey, badId]) expect(o.operations).toEqual([]);
  });

  it('an already-aborted signal rejects with no request', async () => {
    const ac = new AbortController();
    ac.abort(new Error('cancelled'));
    const o = await deployOnce(acmConnector('http://127.0.0.1:9'), (await mintCredential()).deployment, ctx(), { signal: ac.signal });
    expect(o.ok).toBe(false);
    expect(o.operations).toEqual([]);
  });
});

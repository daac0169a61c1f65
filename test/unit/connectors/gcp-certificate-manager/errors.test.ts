/**
 * Error classification against the fake: authentication, permission and invalid input are
 * terminal; throttling, 5xx, an undecodable proxy page and an unreachable endpoint are
 * retryable; the library does not retry on its own (the controller owns backoff); no message
 * carries key material, not even when the service echoes the key.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SecretValue } from '../../../../packages/connector-sdk/src/deployment.ts';
import { ErrorCode } from '../../../../packages/connector-sdk/src/sandbox/errors.ts';
import { keyMaterialLeaks } from '../../../support/certs/index.ts';
import { mintCredential, type TestCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { surfacesOf } from '../../../../packages/connector-sdk/src/conformance/leak-surfaces.ts';
import { freePort } from '../../../support/control-plane/ports.ts';
import { GcpFake } from '../../../support/gcp-fake/index.ts';
import { errorOf, nameOf, resultOf, run, saBlock, SA_EMAIL, secretsWith, wiBlock } from './harness.ts';

let fake: GcpFake;
let keyJson: string;
let secrets: ReturnType<typeof secretsWith>;
let cred: TestCredential;
let n = 0;
let id = '';

beforeAll(async () => {
  fake = await GcpFake.start({ pollsUntilDone: 1 });
  keyJson = fake.oauth.createServiceAccount(SA_EMAIL);
  secrets = secretsWith(keyJson);
  cred = await mintCredential();
});
afterAll(() => fake.close());
beforeEach(() => {
  id = `errors-${++n}`;
});

const certRequests = (certId: string) => fake.requests.filter((r) => r.service === 'api' && r.path.endsWith(`/certificates/${certId}`));

describe('gcpCertificateManager API errors', () => {
  it.each([
    [401, 'UNAUTHENTICATED', false],
    [403, 'PERMISSION_DENIED', false],
    [400, 'INVALID_ARGUMENT', false],
    [429, 'RESOURCE_EXHAUSTED', true],
    [500, 'INTERNAL', true],
    [503, 'UNAVAILABLE', true],
  ] as const)('HTTP %i on get → %s, retryable: %s, and the library does not retry', async (status, name, retryable) => {
    fake.injectFailure({ method: 'GET', pathIncludes: `/certificates/${id}`, status });
    const err = errorOf(await run(saBlock(fake, id), cred.deployment, { ctx: { secrets } }));
    expect(err).toMatchObject({ code: ErrorCode.Connector, retryable });
    expect(err.message).toContain(name);
    expect(certRequests(id)).toHaveLength(1);
  });

  it('an HTML 502 from a proxy (not the JSON envelope) is retryable', async () => {
    fake.injectFailure({ method: 'GET', pathIncludes: `/certificates/${id}`, status: 502, rawBody: '<html><body>Bad Gateway</body></html>' });
    const err = errorOf(await run(saBlock(fake, id), cred.deployment, { ctx: { secrets } }));
    expect(err).toMatchObject({ code: ErrorCode.Connector, retryable: true });
    expect(err.message).toContain('HTTP 502');
  });

  it('a refused create (400) is terminal and nothing is stored', async () => {
    fake.injectFailure({ method: 'POST', pathIncludes: '/certificates', status: 400 });
    const err = errorOf(await run(saBlock(fake, id), cred.deployment, { ctx: { secrets } }));
    expect(err).toMatchObject({ retryable: false });
    expect(fake.certificates.has(nameOf(id))).toBe(false);
  });

  it('a 500 while polling the operation is retryable, and the replay completes the deploy', async () => {
    fake.injectFailure({ method: 'GET', pathIncludes: '/operations/', status: 500 });
    const err = errorOf(await run(saBlock(fake, id), cred.deployment, { ctx: { secrets } }));
    expect(err).toMatchObject({ retryable: true });
    // The create landed on the next poll of the fake's clock; the replay finds it.
    const replay = resultOf(await run(saBlock(fake, id), cred.deployment, { ctx: { secrets } }));
    expect(replay?.remoteId).toBe(nameOf(id));
  });

  it('an operation that fails (the service refuses the certificate) is terminal and its echo of the key is redacted', async () => {
    fake.setOutcome(nameOf(id), 'reject');
    const o = await run(saBlock(fake, id), cred.deployment, { ctx: { secrets } });
    const err = errorOf(o);
    expect(err).toMatchObject({ retryable: false });
    expect(err.message).toMatch(/INVALID_ARGUMENT/);
    expect(keyMaterialLeaks(surfacesOf(err), [cred.keyPem])).toEqual([]);
    expect(fake.certificates.has(nameOf(id))).toBe(false);
  });

  it('a create racing an unfinished create (409 ALREADY_EXISTS) is retryable', async () => {
    fake.setOutcome(nameOf(id), 'hang');
    const first = new AbortController();
    const seen = fake.requests.length;
    const pending = run(saBlock(fake, id), cred.deployment, { ctx: { secrets }, signal: first.signal });
    await waitFor(() => fake.requests.slice(seen).some((r) => r.path.includes('/operations/')));
    first.abort(new Error('test: deadline'));
    await pending;
    const err = errorOf(await run(saBlock(fake, id), cred.deployment, { ctx: { secrets }, signal: AbortSignal.timeout(20_000) }));
    expect(err).toMatchObject({ retryable: true });
    expect(err.message).toContain('ALREADY_EXISTS');
  });

  it('an endpoint nobody listens on is the sandbox\'s retryable unreachable error, unwrapped', async () => {
    const port = await freePort();
    const err = errorOf(await run(saBlock(fake, id, { endpoint: `http://127.0.0.1:${port}` }), cred.deployment, { ctx: { secrets } }));
    expect(err).toMatchObject({ code: ErrorCode.Unreachable, retryable: true });
  });
});

describe('gcpCertificateManager credential errors', () => {
  it('a key the token endpoint refuses (invalid_grant) is terminal', async () => {
    const revoked = JSON.parse(fake.oauth.createServiceAccount('revoked@fake-project.iam.gserviceaccount.com')) as Record<string, string>;
    fake.oauth.removeServiceAccount('revoked@fake-project.iam.gserviceaccount.com');
    const err = errorOf(await run(saBlock(fake, id), cred.deployment, { ctx: { secrets: secretsWith(JSON.stringify(revoked)) } }));
    expect(err).toMatchObject({ code: ErrorCode.Connector, retryable: false });
    expect(err.message).toContain('invalid_grant');
    expect(keyMaterialLeaks(surfacesOf(err), [revoked.private_key as string])).toEqual([]);
  });

  it('a 503 from the token endpoint is retryable', async () => {
    fake.injectFailure({ service: 'token', status: 503 });
    const err = errorOf(await run(saBlock(fake, id), cred.deployment, { ctx: { secrets } }));
    expect(err).toMatchObject({ retryable: true });
  });

  it('without credentialsRef and without the ambient-identity policy: terminal, before any request', async () => {
    const o = await run(wiBlock(fake, id), cred.deployment, { ctx: { allowAmbientIdentity: false } });
    expect(errorOf(o)).toMatchObject({ retryable: false, message: expect.stringMatching(/ambientCloudIdentity/) });
    expect(o.sandbox.calls.request.attempted).toBe(0);
  });

  it('a metadata server without a service account (404) is terminal and says what to configure', async () => {
    fake.metadataServiceAccount = false;
    try {
      const err = errorOf(await run(wiBlock(fake, id), cred.deployment, { ctx: { allowAmbientIdentity: true } }));
      expect(err).toMatchObject({ retryable: false, message: expect.stringMatching(/workload identity/) });
    } finally {
      fake.metadataServiceAccount = true;
    }
  });

  it.each([
    ['a missing Secret', new Map(), /gcp-key was not found/],
    ['a Secret without key.json', new Map([['gcp-key', { 'other.json': new SecretValue('{}') }]]), /has no key\.json/],
    ['key.json that is not JSON', secretsWith('-----BEGIN PRIVATE KEY-----\nnot json'), /not valid JSON/],
    ['an external_account (workload identity federation) file', secretsWith(JSON.stringify({ type: 'external_account', audience: 'x' })), /external_account/],
    ['a private_key that is not PEM', secretsWith(JSON.stringify({ type: 'service_account', client_email: 'a@b.c', private_key: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC' })), /not a PEM private key/],
  ])('%s: terminal, no request, nothing of the Secret quoted', async (_what, bad, message) => {
    const o = await run(saBlock(fake, id), cred.deployment, { ctx: { secrets: bad as ReturnType<typeof secretsWith> } });
    const err = errorOf(o);
    expect(err).toMatchObject({ retryable: false });
    expect(err.message).toMatch(message);
    expect(err.message).not.toMatch(/MIIE|BEGIN/);
    expect(o.sandbox.calls.request.attempted).toBe(0);
  });
});

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error('condition not reached');
}

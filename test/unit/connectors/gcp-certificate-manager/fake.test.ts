/**
 * The fake is only useful if it refuses what the real service documents it refuses, so these
 * checks talk to it directly (plain fetch): no token or a forged one, an assertion signed by
 * the wrong key or for the wrong audience, a key that does not match the certificate, an
 * unknown update mask path, and the documented operation and error shapes.
 */
import { createSign, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintCredential, type TestCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { GcpFake } from '../../../support/gcp-fake/index.ts';

let fake: GcpFake;
let a: TestCredential;
let b: TestCredential;
let token = '';
const parent = 'projects/p/locations/global';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
function assertion(key: string, claims: Record<string, unknown>): string {
  const input = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${input}.${createSign('sha256').update(input).sign(key).toString('base64url')}`;
}
const exchange = (jwt: string) =>
  fetch(fake.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwt }) });
const api = (path: string, init: RequestInit = {}, bearer = token) =>
  fetch(`${fake.apiUrl}/v1/${path}`, { ...init, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' } });

beforeAll(async () => {
  fake = await GcpFake.start({ pollsUntilDone: 1 });
  [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
  const key = JSON.parse(fake.oauth.createServiceAccount('sa@p.iam.gserviceaccount.com')) as { private_key: string };
  const now = Math.floor(Date.now() / 1000);
  const good = { iss: 'sa@p.iam.gserviceaccount.com', aud: fake.tokenUrl, scope: 'https://www.googleapis.com/auth/cloud-platform', iat: now, exp: now + 3600 };
  const res = await exchange(assertion(key.private_key, good));
  token = ((await res.json()) as { access_token: string }).access_token;
});
afterAll(() => fake.close());

describe('the fake token endpoint', () => {
  it('refuses an assertion signed by another key, for another audience, or too long-lived', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const key = JSON.parse(fake.oauth.createServiceAccount('sb@p.iam.gserviceaccount.com')) as { private_key: string };
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: 'sb@p.iam.gserviceaccount.com', aud: fake.tokenUrl, scope: 'https://www.googleapis.com/auth/cloud-platform', iat: now, exp: now + 3600 };
    for (const jwt of [assertion(other, claims), assertion(key.private_key, { ...claims, aud: 'https://elsewhere/token' }), assertion(key.private_key, { ...claims, exp: now + 7200 })]) {
      const res = await exchange(jwt);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_grant' });
    }
    expect(token).toMatch(/^ya29\./);
  });
});

describe('the fake Certificate Manager API', () => {
  it('requires a token it issued', async () => {
    expect((await api(`${parent}/certificates/x`, {}, 'forged')).status).toBe(401);
    const res = await api(`${parent}/certificates/x`);
    expect([res.status, await res.json()]).toEqual([404, { error: { code: 404, message: `Resource '${parent}/certificates/x' was not found`, status: 'NOT_FOUND' } }]);
  });

  it('refuses a key that does not match the certificate, and an unknown mask path', async () => {
    const mismatched = { selfManaged: { pemCertificate: a.deployment.chainPem.join(''), pemPrivateKey: b.keyPem } };
    expect((await api(`${parent}/certificates?certificateId=m`, { method: 'POST', body: JSON.stringify(mismatched) })).status).toBe(400);
    const ok = { selfManaged: { pemCertificate: a.deployment.chainPem.join(''), pemPrivateKey: a.keyPem }, labels: { x: 'y' } };
    const created = (await (await api(`${parent}/certificates?certificateId=m`, { method: 'POST', body: JSON.stringify(ok) })).json()) as { name: string; done: boolean; metadata: { '@type': string } };
    expect(created).toMatchObject({ done: false, metadata: { '@type': 'type.googleapis.com/google.cloud.certificatemanager.v1.OperationMetadata' } });
    const done = (await (await api(created.name)).json()) as { done: boolean; response: Record<string, unknown> };
    expect(done.done).toBe(true);
    expect(done.response['@type']).toBe('type.googleapis.com/google.cloud.certificatemanager.v1.Certificate');
    expect(done.response).not.toHaveProperty('selfManaged');
    expect((await api(`${parent}/certificates/m?updateMask=pem_certificate`, { method: 'PATCH', body: '{}' })).status).toBe(400);
    expect((await api(`${parent}/certificates/m`, { method: 'PATCH', body: '{}' })).status).toBe(400);
    expect((await api(`${parent}/certificates?certificateId=m`, { method: 'POST', body: JSON.stringify(ok) })).status).toBe(409);
  });
});

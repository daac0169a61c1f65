/**
 * Ownership and the shape of what the real client sends: certificates are labelled with the
 * target's owner label; one not labelled by us (or Google-managed) is never changed or deleted;
 * a rotation is an update of `self_managed` with an update mask; a label change alone does
 * not resend the key; undeploy deletes only our certificate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER_LABEL_KEY, ownerLabelValue } from '../../../../src/connectors/gcp-certificate-manager/labels.ts';
import { mintCredential, type TestCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { fakeState } from '../../../conformance/fixtures/gcp-certificate-manager.ts';
import { GcpFake, type StoredCertificate } from '../../../support/gcp-fake/index.ts';
import { errorOf, nameOf, OWNER, resultOf, run, saBlock, SA_EMAIL, secretsWith } from './harness.ts';

let fake: GcpFake;
let secrets: ReturnType<typeof secretsWith>;
let a: TestCredential;
let b: TestCredential;

beforeAll(async () => {
  fake = await GcpFake.start({ pollsUntilDone: 2 });
  secrets = secretsWith(fake.oauth.createServiceAccount(SA_EMAIL));
  [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
});
afterAll(() => fake.close());

function foreign(id: string, labels: Record<string, string>, extra: Partial<StoredCertificate> = {}): StoredCertificate {
  const at = new Date().toISOString();
  return {
    name: nameOf(id), description: '', labels, pemCertificate: a.deployment.chainPem.join(''), pemPrivateKey: a.keyPem,
    createTime: at, updateTime: at, expireTime: at, sanDnsnames: [], ...extra,
  };
}

const since = (from: number) => fake.requests.slice(from).filter((r) => r.service === 'api');

describe('gcpCertificateManager ownership', () => {
  it('creates with the owner label and the configured labels, through the documented REST route', async () => {
    const from = fake.requests.length;
    const r = resultOf(await run(saBlock(fake, 'own-create', { labels: { team: 'web' } }), a.deployment, { ctx: { secrets } }));
    expect(r).toMatchObject({ changed: true, remoteId: nameOf('own-create') });
    expect(fake.certificates.get(nameOf('own-create'))?.labels).toEqual({ team: 'web', [OWNER_LABEL_KEY]: ownerLabelValue(OWNER) });
    const calls = since(from).map((q) => `${q.method} ${q.path}${q.query}`);
    expect(calls[0]).toBe(`GET /v1/${nameOf('own-create')}?$alt=json%3Benum-encoding=int`);
    expect(calls[1]).toBe('POST /v1/projects/fake-project/locations/global/certificates?certificateId=own-create&$alt=json%3Benum-encoding=int');
    expect(calls.slice(2).every((c) => c.startsWith('GET /v1/projects/fake-project/locations/global/operations/'))).toBe(true);
    const claims = fake.oauth.acceptedAssertions.at(-1);
    expect(claims).toMatchObject({ iss: SA_EMAIL, aud: fake.tokenUrl, scope: 'https://www.googleapis.com/auth/cloud-platform' });
    expect(Number(claims?.exp) - Number(claims?.iat)).toBe(3600);
  });

  it('a rotation updates self_managed in place; labels set by others stay', async () => {
    const block = saBlock(fake, 'own-rotate');
    resultOf(await run(block, a.deployment, { ctx: { secrets } }));
    fake.certificates.get(nameOf('own-rotate'))!.labels['added-by-someone'] = 'yes';
    const from = fake.requests.length;
    const r = resultOf(await run(block, b.deployment, { ctx: { secrets } }));
    expect(r?.changed).toBe(true);
    const patch = since(from).filter((q) => q.method === 'PATCH');
    expect(patch.map((q) => q.query)).toEqual(['?updateMask=self_managed&$alt=json%3Benum-encoding=int']);
    expect(fakeState(fake, nameOf('own-rotate'))).toMatchObject({ fingerprint: b.deployment.fingerprint, keyMatchesLeaf: true, chain: b.chainFingerprints });
    expect(fake.certificates.get(nameOf('own-rotate'))?.labels['added-by-someone']).toBe('yes');
  });

  it('a change of configured labels alone updates labels only', async () => {
    resultOf(await run(saBlock(fake, 'own-labels', { labels: { team: 'web' } }), a.deployment, { ctx: { secrets } }));
    const from = fake.requests.length;
    const r = resultOf(await run(saBlock(fake, 'own-labels', { labels: { team: 'shop' } }), a.deployment, { ctx: { secrets } }));
    expect(r).toMatchObject({ changed: true, message: expect.stringMatching(/labels/) });
    expect(since(from).filter((q) => q.method === 'PATCH').map((q) => q.query)).toEqual(['?updateMask=labels&$alt=json%3Benum-encoding=int']);
    expect(fake.certificates.get(nameOf('own-labels'))?.labels.team).toBe('shop');
    expect(fakeState(fake, nameOf('own-labels')).fingerprint).toBe(a.deployment.fingerprint);
  });

  const cases: [string, Record<string, string>, Partial<StoredCertificate>][] = [
    ['has no owner label', {}, {}],
    ['belongs to another target', { [OWNER_LABEL_KEY]: ownerLabelValue('other-uid/other') }, {}],
    ['is Google-managed', { [OWNER_LABEL_KEY]: ownerLabelValue(OWNER) }, { managed: { domains: ['x.example'], state: 3 } }],
  ];
  it.each(cases)('a certificate that %s is refused, terminally, and left as it was', async (_what, labels, extra) => {
    const id = `own-foreign-${Object.keys(labels).length}-${'managed' in extra ? 'm' : 's'}`;
    fake.seed(foreign(id, { ...labels }, extra));
    const before = structuredClone(fake.certificates.get(nameOf(id)));
    const from = fake.requests.length;
    const err = errorOf(await run(saBlock(fake, id), b.deployment, { ctx: { secrets } }));
    expect(err).toMatchObject({ retryable: false, message: expect.stringMatching(/refusing to change it/) });
    expect(since(from).filter((q) => q.method !== 'GET')).toEqual([]);
    expect(fake.certificates.get(nameOf(id))).toEqual(before);
    // undeploy leaves it too
    resultOf(await run(saBlock(fake, id), null, { ctx: { secrets } }));
    expect(fake.certificates.get(nameOf(id))).toEqual(before);
  });

  it('undeploy deletes our certificate, and tolerates one that is already gone', async () => {
    const block = saBlock(fake, 'own-delete');
    resultOf(await run(block, a.deployment, { ctx: { secrets } }));
    const from = fake.requests.length;
    resultOf(await run(block, null, { ctx: { secrets, remoteId: nameOf('own-delete') } }));
    expect(fake.certificates.has(nameOf('own-delete'))).toBe(false);
    expect(since(from).filter((q) => q.method === 'DELETE')).toHaveLength(1);
    const again = fake.requests.length;
    resultOf(await run(block, null, { ctx: { secrets } }));
    expect(since(again).map((q) => q.method)).toEqual(['GET']);
  });
});

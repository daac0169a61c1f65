/**
 * At-least-once delivery against the fake, with a service account key (the conformance replay
 * case runs with workload identity only, because the token exchange is a POST): a replay, a
 * controller restart and a lost status write never create a second certificate and never
 * change anything when the fingerprint is already there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { GcpFake } from '../../../support/gcp-fake/index.ts';
import { nameOf, resultOf, run, saBlock, SA_EMAIL, secretsWith } from './harness.ts';

let fake: GcpFake;
let secrets: ReturnType<typeof secretsWith>;

beforeAll(async () => {
  fake = await GcpFake.start({ pollsUntilDone: 2 });
  secrets = secretsWith(fake.oauth.createServiceAccount(SA_EMAIL));
});
afterAll(() => fake.close());

describe('gcpCertificateManager replay (service account key)', () => {
  it('a replay by a new instance makes zero mutating API requests and returns changed: false', async () => {
    const cred = await mintCredential();
    const block = saBlock(fake, 'replay-one');
    const first = resultOf(await run(block, cred.deployment, { ctx: { secrets } }));
    expect(first).toMatchObject({ changed: true, remoteId: nameOf('replay-one') });
    const before = fake.mutations().length;
    const replay = await run(block, cred.deployment, { ctx: { secrets } });
    expect(resultOf(replay)).toMatchObject({ changed: false, remoteId: nameOf('replay-one') });
    expect(fake.mutations().length - before).toBe(0);
    // The only non-GET the sandbox saw is the token exchange, to the token endpoint.
    const nonGet = replay.sandbox.calls.mutatingRequest.attempted;
    const tokenPosts = fake.requests.filter((r) => r.service === 'token').length;
    expect(nonGet).toBe(1);
    expect(tokenPosts).toBeGreaterThanOrEqual(2);
  });

  it('a lost status write (no remoteId) and repeated deploys never create a second certificate', async () => {
    const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
    const block = saBlock(fake, 'replay-lost-status');
    resultOf(await run(block, a.deployment, { ctx: { secrets } }));
    // The controller lost the status write: no remoteId. Five restarts deploy A again, then B.
    for (let i = 0; i < 5; i++) resultOf(await run(block, a.deployment, { ctx: { secrets } }));
    const rotated = resultOf(await run(block, b.deployment, { ctx: { secrets, remoteId: nameOf('replay-lost-status') } }));
    expect(rotated?.changed).toBe(true);
    const creates = fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/certificates') && r.status === 200);
    const ours = [...fake.certificates.keys()].filter((n) => n.endsWith('/replay-lost-status'));
    expect(ours).toEqual([nameOf('replay-lost-status')]);
    expect(creates.filter((r) => r.query.includes('certificateId=replay-lost-status'))).toHaveLength(1);
  });
});

/**
 * gcpCertificateManager inspect against the API fake, in the read-only sandbox: the token
 * exchange passes as a read, one GET reads the certificate; an update by someone else shows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGcpCertificateManagerConnector } from '../../../../src/connectors/gcp-certificate-manager/gcp-certificate-manager-connector.ts';
import { gcpCertificateManagerConnector } from '../../../../src/connectors/gcp-certificate-manager/index.ts';
import { mintCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { GcpFake } from '../../../support/gcp-fake/index.ts';
import { inspectReadOnly } from '../inspect-support.ts';
import { FAST_POLL, OWNER, resultOf, run, saBlock, SA_EMAIL, secretsWith } from './harness.ts';

let fake: GcpFake;
let secrets: ReturnType<typeof secretsWith>;
beforeAll(async () => {
  fake = await GcpFake.start({ pollsUntilDone: 1 });
  secrets = secretsWith(fake.oauth.createServiceAccount(SA_EMAIL));
});
afterAll(() => fake.close());

const connector = (id: string) => createGcpCertificateManagerConnector(gcpCertificateManagerConnector.configSchema.parse(saBlock(fake, id)), { poll: FAST_POLL });

describe('gcpCertificateManager inspect', () => {
  it('reads the certificate under the name, sees a replacement, and reports an absent one', async () => {
    const [ours, theirs] = await Promise.all([mintCredential({ name: 'Ours' }), mintCredential({ name: 'Theirs' })]);
    resultOf(await run(saBlock(fake, 'drift'), ours.deployment, { ctx: { secrets } }));
    const before = fake.mutations().length;
    const first = await inspectReadOnly(connector('drift'), { ownerId: OWNER, secrets, fingerprint: ours.deployment.fingerprint });
    expect(first.result.active?.fingerprint).toBe(ours.deployment.fingerprint);
    expect(first.denied).toBe(0);
    expect(fake.mutations().length).toBe(before);

    resultOf(await run(saBlock(fake, 'drift'), theirs.deployment, { ctx: { secrets } }));
    expect((await inspectReadOnly(connector('drift'), { ownerId: OWNER, secrets, fingerprint: ours.deployment.fingerprint })).result.active?.fingerprint).toBe(theirs.deployment.fingerprint);
    expect((await inspectReadOnly(connector('nothing-here'), { ownerId: OWNER, secrets, fingerprint: ours.deployment.fingerprint })).result.active).toBeNull();
  });
});

/**
 * f5BigIp inspect against the fake BIG-IP, in the read-only sandbox: the profile's bound
 * object and its SHA-256 after a deploy; another target's certificate bound to the profile
 * while ours stays installed → our object reported installed-not-bound; Basic GETs only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { f5BigIpConnector } from '../../../../src/connectors/f5-big-ip/index.ts';
import { mintCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { CREDENTIALS_SECRET, secretsFor } from '../../../conformance/fixtures/f5-big-ip.ts';
import { startF5Fake, type F5Fake, type FakeUser } from '../../../support/f5-fake/index.ts';
import { inspectReadOnly } from '../inspect-support.ts';
import { connectorFor, mustDeploy } from './helpers.ts';

let fake: F5Fake;
beforeAll(async () => {
  fake = await startF5Fake();
}, 60_000);
afterAll(async () => {
  await fake?.stop();
});

const raw = () => f5BigIpConnector.create(f5BigIpConnector.configSchema.parse({ address: fake.address, clientSslProfile: 'drift', credentialsRef: { name: CREDENTIALS_SECRET }, caBundle: fake.caPem }));

describe('f5BigIp inspect', () => {
  it('reports the bound certificate, then ours installed but not bound after another certificate took the profile', async () => {
    fake.createProfile('drift');
    const secrets = secretsFor(fake.users[0] as FakeUser);
    const [ours, theirs] = await Promise.all([mintCredential({ name: 'Ours' }), mintCredential({ name: 'Theirs' })]);
    await mustDeploy(fake, connectorFor(fake, 'drift'), ours.deployment, { ownerId: 'uid-a/web' });

    const from = fake.requests.length;
    const first = await inspectReadOnly(raw(), { ownerId: 'uid-a/web', secrets, fingerprint: ours.deployment.fingerprint });
    expect(first.result.active?.fingerprint).toBe(ours.deployment.fingerprint);
    expect(first.result.expectedInstalled).toBe(false);
    expect(first.denied).toBe(0);
    expect(fake.requests.slice(from).every((r) => r.method === 'GET' && r.auth === 'basic')).toBe(true);

    // Another owner binds its certificate to the same profile; our objects stay on the box.
    await mustDeploy(fake, connectorFor(fake, 'drift'), theirs.deployment, { ownerId: 'uid-b/other' });
    const second = await inspectReadOnly(raw(), { ownerId: 'uid-a/web', secrets, fingerprint: ours.deployment.fingerprint });
    expect(second.result.active?.fingerprint).toBe(theirs.deployment.fingerprint);
    expect(second.result.expectedInstalled).toBe(true);
    expect(second.result.message).toMatch(/is installed but not bound/);
  });
});

/**
 * azureKeyVault inspect against the Key Vault fake, in the read-only sandbox: the current
 * version's certificate; a newer version pushed by someone else → that one; no certificate →
 * none. The token request (client secret) passes as a read; nothing is attempted beyond reads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { startAzureFakes, type AzureFakes } from '../../../support/azure-key-vault/index.ts';
import { inspectReadOnly } from '../inspect-support.ts';
import { connectorFor, mustDeploy, spSecrets, uniqueName } from './helpers.ts';

let fakes: AzureFakes;
beforeAll(async () => {
  fakes = await startAzureFakes();
}, 60_000);
afterAll(async () => {
  await fakes?.close();
});

describe('azureKeyVault inspect', () => {
  it('reads the current version, sees a newer one pushed behind our back, and an absent name', async () => {
    const name = uniqueName('drift');
    const [ours, theirs] = await Promise.all([mintCredential({ name: 'Ours' }), mintCredential({ name: 'Theirs' })]);
    await mustDeploy(connectorFor(fakes, name), ours.deployment);
    const ctx = { ownerId: 'uid-1/web', fingerprint: ours.deployment.fingerprint };
    const first = await inspectReadOnly(connectorFor(fakes, name), ctx);
    expect(first.result.active).toMatchObject({ fingerprint: ours.deployment.fingerprint });
    expect(first.result.active?.notAfter).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(first.denied).toBe(0);

    await mustDeploy(connectorFor(fakes, name), theirs.deployment);
    expect((await inspectReadOnly(connectorFor(fakes, name), ctx)).result.active?.fingerprint).toBe(theirs.deployment.fingerprint);
    expect((await inspectReadOnly(connectorFor(fakes, uniqueName('none')), ctx)).result.active).toBeNull();
  });

  it('with a client secret, the token request goes through as a read', async () => {
    const name = uniqueName('drift-sp');
    const cred = await mintCredential();
    await mustDeploy(connectorFor(fakes, name), cred.deployment);
    const sp = connectorFor(fakes, name, { credentialsRef: { name: 'azure-sp' }, authorityHost: fakes.entra.url }, null);
    const r = await inspectReadOnly(sp, { ownerId: 'uid-1/web', secrets: spSecrets(fakes), fingerprint: cred.deployment.fingerprint });
    expect(r.result.active?.fingerprint).toBe(cred.deployment.fingerprint);
    expect(r.denied).toBe(0);
  });
});

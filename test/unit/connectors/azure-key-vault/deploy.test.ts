/**
 * azureKeyVault deploy and undeploy behaviour on the fake Key Vault: the thumbprint skip
 * (a replay makes no vault writes), rotation as new versions, A→B→A, the owner tag and the
 * refusal of someone else's certificate, what is sent (a PFX with the chain, tags), the
 * soft-deleted name, Ed25519, aborts, and cleanup that deletes only our own object.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER_TAG } from '../../../../src/connectors/azure-key-vault/index.ts';
import { mintCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { startAzureFakes, type AzureFakes } from '../../../support/azure-key-vault/index.ts';
import { vaultState } from '../../../conformance/fixtures/azure-key-vault.ts';
import { connectorFor, deploy, errorOf, mustDeploy, spSecrets, undeploy, uniqueName } from './helpers.ts';

let fakes: AzureFakes;
beforeAll(async () => {
  fakes = await startAzureFakes();
}, 60_000);
afterAll(async () => {
  await fakes?.close();
});

const versionsOf = (name: string) => fakes.vault.certificates.get(name)?.versions ?? [];

describe('azureKeyVault deploy', () => {
  it('skips on a matching thumbprint: a replay by a new instance reads once and writes nothing', async () => {
    const name = uniqueName('skip');
    const cred = await mintCredential();
    const first = await mustDeploy(connectorFor(fakes, name), cred.deployment);
    expect(first.changed).toBe(true);
    const before = fakes.vault.attemptedMutations(name).length;
    const replay = await mustDeploy(connectorFor(fakes, name), cred.deployment);
    expect(replay.changed).toBe(false);
    expect(replay.remoteId).toBe(first.remoteId);
    expect(replay.sandbox.calls.mutatingRequest.attempted).toBe(0);
    expect(fakes.vault.attemptedMutations(name).length).toBe(before);
    expect(versionsOf(name)).toHaveLength(1);
  });

  it('a client-secret replay costs one token request and no vault write', async () => {
    const name = uniqueName('sp-replay');
    const cred = await mintCredential();
    const c = () => connectorFor(fakes, name, { credentialsRef: { name: 'azure-sp' }, authorityHost: fakes.entra.url }, null);
    await mustDeploy(c(), cred.deployment, { ctx: { secrets: spSecrets(fakes) } });
    const tokens = fakes.entra.tokenRequests.length;
    const writes = fakes.vault.attemptedMutations(name).length;
    const replay = await mustDeploy(c(), cred.deployment, { ctx: { secrets: spSecrets(fakes) } });
    expect(replay.changed).toBe(false);
    expect(fakes.entra.tokenRequests.length - tokens).toBe(1);
    expect(fakes.vault.attemptedMutations(name).length).toBe(writes);
  });

  it('each rotation imports a new version; the remoteId is the versionless id and stays the same', async () => {
    const name = uniqueName('rotate');
    const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
    const ra = await mustDeploy(connectorFor(fakes, name), a.deployment);
    const rb = await mustDeploy(connectorFor(fakes, name), b.deployment);
    const raa = await mustDeploy(connectorFor(fakes, name), a.deployment);
    expect([ra.changed, rb.changed, raa.changed]).toEqual([true, true, true]);
    expect(new Set([ra.remoteId, rb.remoteId, raa.remoteId])).toEqual(new Set([`${fakes.vault.url}/certificates/${name}`]));
    const versions = versionsOf(name);
    expect(versions).toHaveLength(3);
    expect(new Set(versions.map((v) => v.version)).size).toBe(3);
    expect(vaultState(fakes, name).fingerprint).toBe(a.deployment.fingerprint);
    expect(rb.message).toContain(versions[1]?.version);
  });

  it('imports a 3DES-profile PKCS#12 with the whole chain, leaf first, and tags every version with the owner and the user tags', async () => {
    const name = uniqueName('shape');
    const cred = await mintCredential({ intermediates: 2, withRoot: true });
    await mustDeploy(connectorFor(fakes, name, { tags: { team: 'payments' } }), cred.deployment, { ctx: { ownerId: 'uid-9/edge' } });
    const [v] = versionsOf(name);
    expect(v?.contentType).toBe('application/x-pkcs12');
    expect(v?.pfxInfo).toMatch(/Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC/);
    expect(v?.tags).toEqual({ team: 'payments', [OWNER_TAG]: 'uid-9/edge' });
    expect(vaultState(fakes, name)).toEqual({ fingerprint: cred.deployment.fingerprint, chain: cred.chainFingerprints, keyMatchesLeaf: true });
  });

  it('refuses to add a version to a certificate another target owns, or one without the owner tag', async () => {
    const name = uniqueName('foreign');
    const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
    await mustDeploy(connectorFor(fakes, name), a.deployment, { ctx: { ownerId: 'other-uid/their-target' } });
    const e = errorOf(await deploy(connectorFor(fakes, name), b.deployment, { ctx: { ownerId: 'uid-1/web' } }));
    expect(e).toMatchObject({ code: 'CD_ERR_CONNECTOR', retryable: false });
    expect(e.message).toContain('other-uid/their-target');
    (versionsOf(name)[0] as { tags: Record<string, string> }).tags = {};
    const untagged = errorOf(await deploy(connectorFor(fakes, name), b.deployment));
    expect(untagged.message).toMatch(/no certdeployer\.io-owner tag/);
    expect(versionsOf(name)).toHaveLength(1);
  });

  it('re-imports when the current version holds the leaf but was disabled', async () => {
    const name = uniqueName('disabled');
    const cred = await mintCredential();
    await mustDeploy(connectorFor(fakes, name), cred.deployment);
    (versionsOf(name)[0] as { enabled: boolean }).enabled = false;
    const again = await mustDeploy(connectorFor(fakes, name), cred.deployment);
    expect(again.changed).toBe(true);
    expect(versionsOf(name).map((v) => v.enabled)).toEqual([false, true]);
  });

  it('refuses an Ed25519 key before any request', async () => {
    const cred = await mintCredential({ keyAlgorithm: 'ed25519' });
    const o = await deploy(connectorFor(fakes, uniqueName('ed')), cred.deployment);
    expect(errorOf(o)).toMatchObject({ code: 'CD_ERR_CONNECTOR', retryable: false });
    expect(o.sandbox.calls.request.attempted).toBe(0);
  });

  it('an already-aborted signal rejects before any request', async () => {
    const ac = new AbortController();
    ac.abort(new Error('test: cancelled'));
    const o = await deploy(connectorFor(fakes, uniqueName('pre')), (await mintCredential()).deployment, { signal: ac.signal });
    expect(errorOf(o).message).toBe('test: cancelled');
    expect(o.sandbox.calls.request.attempted).toBe(0);
  });

  it('an abort during a slow import rejects with the abort reason; the replay deploys', async () => {
    const name = uniqueName('abort');
    const cred = await mintCredential();
    fakes.vault.importMode = 'slow';
    try {
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(new Error('test: cancelled during import')), 300);
      const o = await deploy(connectorFor(fakes, name), cred.deployment, { signal: ac.signal });
      clearTimeout(timer);
      expect(errorOf(o).message).toBe('test: cancelled during import');
    } finally {
      fakes.vault.importMode = 'ok';
    }
    await mustDeploy(connectorFor(fakes, name), cred.deployment);
    expect(vaultState(fakes, name).fingerprint).toBe(cred.deployment.fingerprint);
  });
});

describe('azureKeyVault undeploy', () => {
  it('deletes the certificate it created (soft delete); a second undeploy and a never-deployed one are no-ops', async () => {
    const name = uniqueName('undeploy');
    await mustDeploy(connectorFor(fakes, name), (await mintCredential()).deployment);
    await undeploy(connectorFor(fakes, name));
    expect(fakes.vault.certificates.get(name)?.deletedOn).not.toBeNull();
    expect(vaultState(fakes, name).fingerprint).toBeNull();
    await expect(undeploy(connectorFor(fakes, name))).resolves.toBeUndefined();
    await expect(undeploy(connectorFor(fakes, uniqueName('never')))).resolves.toBeUndefined();
  });

  it('leaves a certificate it does not own', async () => {
    const name = uniqueName('keep');
    await mustDeploy(connectorFor(fakes, name), (await mintCredential()).deployment, { ctx: { ownerId: 'someone/else' } });
    await undeploy(connectorFor(fakes, name), { ctx: { ownerId: 'uid-1/web' } });
    expect(fakes.vault.certificates.get(name)?.deletedOn).toBeNull();
    expect(fakes.vault.mutations(name).filter((r) => r.method === 'DELETE')).toEqual([]);
  });

  it('a deploy to a name in the soft-deleted state fails terminally and says how to free it', async () => {
    const name = uniqueName('deleted');
    await mustDeploy(connectorFor(fakes, name), (await mintCredential()).deployment);
    await undeploy(connectorFor(fakes, name));
    const e = errorOf(await deploy(connectorFor(fakes, name), (await mintCredential()).deployment));
    expect(e).toMatchObject({ code: 'CD_ERR_CONNECTOR', retryable: false });
    expect(e.message).toMatch(/deleted but recoverable.*HTTP 409/);
  });
});

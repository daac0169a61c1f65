/**
 * Profile shapes and cleanup: a profile with one entry per key type (only the chosen entry
 * changes, its other settings stay), a key-type clash refused by BIG-IP and rolled back, a
 * certificate without CA certificates (no chain object; an old chain is cleared), and
 * undeploy, which leaves the profile alone and removes only this target's unused objects.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { objectNames } from '../../../../src/connectors/f5-big-ip/object-names.ts';
import { parseTlsSecret } from '../../../../packages/connector-sdk/src/credential/index.ts';
import { mintCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { mintSelfSigned } from '../../../support/certs/index.ts';
import { DEFAULT_CERT, DEFAULT_KEY, startF5Fake, type F5Fake } from '../../../support/f5-fake/index.ts';
import { connectorFor, deploy, entryOf, mustDeploy, objectsWithPrefix, undeploy } from './helpers.ts';

let fake: F5Fake;
let n = 0;
let profile = '';
let path = '';
const owner = (): string => `uid-p${n}/edge`;
const ours = (): string => `/Common/${objectNames('certdeployer', owner(), '0'.repeat(64)).ownerPrefix}`;

beforeAll(async () => {
  fake = await startF5Fake();
  const rsa = await mintSelfSigned({ keyAlgorithm: 'rsa', dnsNames: ['legacy.example.test'] });
  fake.state.certs.set('/Common/legacy-rsa.crt', { fullPath: '/Common/legacy-rsa.crt', pems: [rsa.leafPem] });
  fake.state.keys.set('/Common/legacy-rsa.key', { fullPath: '/Common/legacy-rsa.key', pem: rsa.keyPem });
}, 60_000);
afterAll(async () => {
  await fake?.stop();
});
beforeEach(() => {
  profile = `prof-${++n}`;
  path = `/Common/${profile}`;
  fake.setCommitMode('ok');
});

const dualProfile = () =>
  fake.createProfile(profile, {
    certKeyChain: [
      { name: 'rsa-entry', cert: '/Common/legacy-rsa.crt', key: '/Common/legacy-rsa.key', usage: 'SERVER' },
      { name: 'ecdsa-entry', cert: DEFAULT_CERT, key: DEFAULT_KEY, usage: 'SERVER', ocspStapling: 'enabled' },
    ],
  });

describe('profiles with several certKeyChain entries', () => {
  it('without certKeyChainName the deploy is refused before any change', async () => {
    dualProfile();
    const cred = await mintCredential({ keyAlgorithm: 'ecdsa-p256' });
    const o = await deploy(fake, connectorFor(fake, profile), cred.deployment, { ownerId: owner() });
    expect(o.ok).toBe(false);
    if (!o.ok) expect((o.error as Error).message).toMatch(/2 certKeyChain entries .*certKeyChainName/);
    expect(o.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('with certKeyChainName only that entry changes and keeps its other settings', async () => {
    dualProfile();
    const cred = await mintCredential({ keyAlgorithm: 'ecdsa-p384' });
    await mustDeploy(fake, connectorFor(fake, profile, { certKeyChainName: 'ecdsa-entry' }), cred.deployment, { ownerId: owner() });
    const names = objectNames('certdeployer', owner(), cred.deployment.fingerprint);
    expect(fake.state.profiles.get(path)?.certKeyChain).toEqual([
      { name: 'rsa-entry', cert: '/Common/legacy-rsa.crt', key: '/Common/legacy-rsa.key', usage: 'SERVER' },
      { name: 'ecdsa-entry', usage: 'SERVER', ocspStapling: 'enabled', cert: `/Common/${names.cert}`, key: `/Common/${names.key}`, chain: `/Common/${names.chain}` },
    ]);
    const replay = await mustDeploy(fake, connectorFor(fake, profile, { certKeyChainName: 'ecdsa-entry' }), cred.deployment, { ownerId: owner() });
    expect(replay.changed).toBe(false);
  });

  it('a key-type clash is refused by BIG-IP at commit and rolled back', async () => {
    dualProfile();
    const cred = await mintCredential({ keyAlgorithm: 'rsa' });
    const before = structuredClone(fake.state.profiles.get(path)?.certKeyChain);
    const o = await deploy(fake, connectorFor(fake, profile, { certKeyChainName: 'ecdsa-entry' }), cred.deployment, { ownerId: owner() });
    expect(o.ok).toBe(false);
    if (!o.ok) expect(o.error).toMatchObject({ retryable: false, message: expect.stringMatching(/more than one certificate\/key pair/) });
    expect(fake.state.profiles.get(path)?.certKeyChain).toEqual(before);
    expect(objectsWithPrefix(fake, ours())).toEqual([]);
  });

  it('an unknown certKeyChainName is a terminal error naming the entries', async () => {
    dualProfile();
    const cred = await mintCredential();
    const o = await deploy(fake, connectorFor(fake, profile, { certKeyChainName: 'nope' }), cred.deployment, { ownerId: owner() });
    expect(o.ok).toBe(false);
    if (!o.ok) expect((o.error as Error).message).toMatch(/no certKeyChain entry named "nope".*"rsa-entry", "ecdsa-entry"/);
  });
});

describe('chains', () => {
  it('a certificate without CA certificates gets no chain object, and an old chain is cleared', async () => {
    fake.createProfile(profile);
    fake.serve(`${profile}.test`, path);
    const withChain = await mintCredential({ intermediates: 2 });
    await mustDeploy(fake, connectorFor(fake, profile), withChain.deployment, { ownerId: owner() });
    expect(fake.state.certs.get(entryOf(fake, path)?.chain as string)?.pems).toHaveLength(2);
    const self = await mintSelfSigned({ dnsNames: ['self.example.test'] });
    const dep = parseTlsSecret({ 'tls.crt': self.leafPem, 'tls.key': self.keyPem }, { now: new Date() });
    await mustDeploy(fake, connectorFor(fake, profile), dep, { ownerId: owner() });
    const names = objectNames('certdeployer', owner(), dep.fingerprint);
    expect(entryOf(fake, path)).toEqual({ name: 'default', cert: `/Common/${names.cert}`, key: `/Common/${names.key}`, chain: 'none' });
    expect(objectsWithPrefix(fake, ours())).toEqual([`/Common/${names.cert}`, `/Common/${names.key}`].sort());
    expect(await fake.servedFingerprint(`${profile}.test`)).toBe(dep.fingerprint);
  });
});

describe('undeploy (deletionPolicy: Delete)', () => {
  it('leaves the profile as it is and removes only this target\'s objects the profile does not use', async () => {
    fake.createProfile(profile);
    const cred = await mintCredential();
    await mustDeploy(fake, connectorFor(fake, profile), cred.deployment, { ownerId: owner() });
    const inUse = objectsWithPrefix(fake, ours());
    const entry = structuredClone(entryOf(fake, path));
    // A leftover of this target (an attempt that died before its swap) and someone else's certificate.
    const leftover = `${ours()}0123456789ab.crt`;
    const pem = fake.state.certs.get(DEFAULT_CERT)?.pems as string[];
    fake.state.certs.set(leftover, { fullPath: leftover, pems: pem });
    fake.state.certs.set('/Common/manual.crt', { fullPath: '/Common/manual.crt', pems: pem });
    const requests = await undeploy(fake, connectorFor(fake, profile), owner());
    expect(fake.state.certs.has(leftover)).toBe(false);
    expect(objectsWithPrefix(fake, ours())).toEqual(inUse);
    expect(entryOf(fake, path)).toEqual(entry);
    expect(fake.state.certs.has('/Common/manual.crt')).toBe(true);
    expect(requests.filter((r) => r.route === 'deleteCrypto')).toHaveLength(1);
    expect(fake.state.tokens.size).toBe(0);
    expect(requests.filter((r) => r.route === 'saveConfig'), 'the removal was saved').toHaveLength(1);
    expect(fake.savedConfigProblems()).toEqual([]);
    // Nothing left to remove: a second undeploy reads only.
    expect((await undeploy(fake, connectorFor(fake, profile), owner())).filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('when the profile is gone, every object of this target is removed', async () => {
    fake.createProfile(profile);
    const cred = await mintCredential();
    await mustDeploy(fake, connectorFor(fake, profile), cred.deployment, { ownerId: owner() });
    fake.state.profiles.delete(path);
    await undeploy(fake, connectorFor(fake, profile), owner());
    expect(objectsWithPrefix(fake, ours())).toEqual([]);
    expect(fake.state.certs.has(DEFAULT_CERT)).toBe(true);
  });
});

/**
 * The f5BigIp deploy against the fake BIG-IP: the documented call sequence, the atomic swap
 * (a failing commit leaves the old chain in place and removes the new objects), replay with
 * zero mutating requests, cleanup of only this target's previous objects after the swap,
 * cancellation during the commit, token expiry mid-deploy, and profiles with several entries.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { objectNames } from '../../../../src/connectors/f5-big-ip/object-names.ts';
import { createSandbox } from '../../../../packages/connector-sdk/src/sandbox/checked-sandbox.ts';
import { isDenied } from '../../../../packages/connector-sdk/src/sandbox/errors.ts';
import { LocalHost } from '../../../../packages/connector-sdk/src/sandbox/host/local-host.ts';
import { mintCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { DEFAULT_CERT, DEFAULT_KEY, startF5Fake, type F5Fake } from '../../../support/f5-fake/index.ts';
import { connectorFor, deploy, entryOf, lines, mustDeploy, objectsWithPrefix } from './helpers.ts';

let fake: F5Fake;
let n = 0;
/** A fresh profile per test, so tests never see each other's state. */
let profile = '';
let path = '';

beforeAll(async () => {
  fake = await startF5Fake();
}, 60_000);
afterAll(async () => {
  await fake?.stop();
});
beforeEach(() => {
  profile = `swap-${++n}`;
  path = `/Common/${profile}`;
  fake.createProfile(profile);
  fake.serve(`${profile}.test`, path);
  fake.setCommitMode('ok');
});

const owner = (): string => `uid-${n}/web`;
const ours = (): string => `/Common/${objectNames('certdeployer', owner(), '0'.repeat(64)).ownerPrefix}`;

describe('f5BigIp deploy', () => {
  it('follows the documented sequence: Basic reads, token login, upload, install, queued PATCH, commit, logout', async () => {
    const cred = await mintCredential({ name: 'Seq' });
    const r = await mustDeploy(fake, connectorFor(fake, profile), cred.deployment, { ownerId: owner() });
    const names = objectNames('certdeployer', owner(), cred.deployment.fingerprint);
    expect(r).toMatchObject({ changed: true, remoteId: path });
    const seq = r.requests;
    const login = seq.findIndex((x) => x.route === 'login');
    expect(seq.slice(0, login).every((x) => x.method === 'GET' && x.auth === 'basic'), 'reads before login use Basic').toBe(true);
    expect(seq.slice(login + 1).every((x) => x.auth === 'token'), 'everything after login uses the token').toBe(true);
    expect(seq.map((x) => x.route).filter((x) => x !== 'getCrypto' && x !== 'listCrypto' && x !== 'deleteCrypto')).toEqual([
      'getProfile', 'login',
      'upload', 'installCert', 'upload', 'installKey', 'upload', 'installCert',
      'unixRm', 'unixRm', 'unixRm',
      'createTransaction', 'queueCommand', 'commit', 'saveConfig', 'logout',
    ]);
    expect(fake.savedConfigProblems()).toEqual([]);
    const queued = seq.find((x) => x.route === 'queueCommand');
    expect(queued?.coordinationId, 'the profile PATCH carries X-F5-REST-Coordination-Id').toMatch(/^\d+$/);
    expect(seq.filter((x) => x.route === 'patchProfile'), 'the profile is never PATCHed outside the transaction').toEqual([]);
    expect(entryOf(fake, path)).toEqual({ name: 'default', cert: `/Common/${names.cert}`, key: `/Common/${names.key}`, chain: `/Common/${names.chain}` });
    expect(await fake.servedFingerprint(`${profile}.test`)).toBe(cred.deployment.fingerprint);
    expect(fake.state.tokens.size, 'the token was deleted').toBe(0);
    expect(fake.state.uploads.size, 'the uploaded files (the key!) were removed').toBe(0);
    expect(fake.state.certs.has(DEFAULT_CERT) && fake.state.keys.has(DEFAULT_KEY), 'the factory objects stay').toBe(true);
    expect(r.message).toContain('left objects it did not create in place: /Common/default.crt, /Common/default.key');
  });

  it('a replay by a new instance is pure Basic GETs: changed false, zero mutating requests', async () => {
    const cred = await mintCredential({ name: 'Replay' });
    await mustDeploy(fake, connectorFor(fake, profile), cred.deployment, { ownerId: owner() });
    const before = structuredClone(entryOf(fake, path));
    const replay = await mustDeploy(fake, connectorFor(fake, profile), cred.deployment, { ownerId: owner() });
    expect(replay.changed).toBe(false);
    expect(replay.remoteId).toBe(path);
    expect(replay.requests.filter((x) => x.method !== 'GET')).toEqual([]);
    expect(new Set(replay.requests.map((x) => x.auth))).toEqual(new Set(['basic']));
    expect(entryOf(fake, path)).toEqual(before);
  });

  it('a failing commit leaves the old chain in place and removes the new objects', async () => {
    const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
    await mustDeploy(fake, connectorFor(fake, profile), a.deployment, { ownerId: owner() });
    const before = structuredClone(entryOf(fake, path));
    const objectsBefore = objectsWithPrefix(fake, ours());
    fake.setCommitMode('fail');
    const o = await deploy(fake, connectorFor(fake, profile), b.deployment, { ownerId: owner() });
    expect(o.ok).toBe(false);
    if (!o.ok) expect(o.error).toMatchObject({ code: 'CD_ERR_CONNECTOR', retryable: false });
    expect(entryOf(fake, path), 'the profile still uses A').toEqual(before);
    expect(objectsWithPrefix(fake, ours()), "B's objects were deleted; A's remain").toEqual(objectsBefore);
    expect(await fake.servedFingerprint(`${profile}.test`)).toBe(a.deployment.fingerprint);
    expect([...fake.state.transactions.values()].filter((t) => t.state === 'STARTED'), 'no transaction left open').toEqual([]);
    expect(fake.savedConfigProblems()).toEqual([]);
    expect(fake.state.tokens.size).toBe(0);
    expect(fake.state.uploads.size).toBe(0);
    fake.setCommitMode('ok');
    expect((await mustDeploy(fake, connectorFor(fake, profile), b.deployment, { ownerId: owner() })).changed).toBe(true);
    expect(await fake.servedFingerprint(`${profile}.test`)).toBe(b.deployment.fingerprint);
  });

  it('a failure while installing deletes what was installed and never touches the profile', async () => {
    const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
    await mustDeploy(fake, connectorFor(fake, profile), a.deployment, { ownerId: owner() });
    const before = structuredClone(entryOf(fake, path));
    const objectsBefore = objectsWithPrefix(fake, ours());
    fake.failNext('installKey', 503, 'mcpd is restarting');
    const o = await deploy(fake, connectorFor(fake, profile), b.deployment, { ownerId: owner() });
    expect(o.ok).toBe(false);
    if (!o.ok) expect(o.error).toMatchObject({ code: 'CD_ERR_CONNECTOR', retryable: true });
    expect(o.requests.some((x) => x.route === 'createTransaction')).toBe(false);
    expect(entryOf(fake, path)).toEqual(before);
    expect(objectsWithPrefix(fake, ours()), "B's certificate object was deleted again").toEqual(objectsBefore);
    expect(fake.state.uploads.size).toBe(0);
  });

  it("deletes this target's previous objects only after the commit, and never objects it did not create", async () => {
    const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
    // Another deployment (another owner) deploys the same certificate A to its own profile.
    const other = `${profile}-other`;
    fake.createProfile(other);
    await mustDeploy(fake, connectorFor(fake, other), a.deployment, { ownerId: `${owner()}-other` });
    const othersObjects = objectsWithPrefix(fake, `/Common/${objectNames('certdeployer', `${owner()}-other`, '0'.repeat(64)).ownerPrefix}`);
    await mustDeploy(fake, connectorFor(fake, profile), a.deployment, { ownerId: owner() });
    const aObjects = objectsWithPrefix(fake, ours());
    expect(aObjects).toHaveLength(3);
    const r = await mustDeploy(fake, connectorFor(fake, profile), b.deployment, { ownerId: owner() });
    const commitAt = r.requests.findIndex((x) => x.route === 'commit');
    const deletes = r.requests.map((x, i) => ({ x, i })).filter(({ x }) => x.route === 'deleteCrypto');
    expect(deletes.map(({ x }) => x.path.replace(/^.*~/, '')).sort()).toEqual(aObjects.map((p) => p.slice('/Common/'.length)).sort());
    const saves = r.requests.map((x, i) => ({ x, i })).filter(({ x }) => x.route === 'saveConfig').map(({ i }) => i);
    expect(saves).toHaveLength(2);
    expect(deletes.every(({ i }) => i > commitAt && i > (saves[0] as number) && i < (saves[1] as number)), 'deletes come after the commit and the first save, before the second save').toBe(true);
    expect(fake.savedConfigProblems(), 'a reboot now would load').toEqual([]);
    expect(objectsWithPrefix(fake, ours())).toHaveLength(3);
    expect(objectsWithPrefix(fake, ours()).some((p) => aObjects.includes(p))).toBe(false);
    expect(objectsWithPrefix(fake, `/Common/${objectNames('certdeployer', `${owner()}-other`, '0'.repeat(64)).ownerPrefix}`), "the other deployment's objects are untouched").toEqual(othersObjects);
    expect(r.message).toContain('removed 3 previous object(s)');
  });

  it('when saving the configuration fails, the deploy stands but the previous objects stay for the saved configuration', async () => {
    const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
    await mustDeploy(fake, connectorFor(fake, profile), a.deployment, { ownerId: owner() });
    const aObjects = objectsWithPrefix(fake, ours());
    fake.failNext('saveConfig', 503, 'config save in progress');
    const r = await mustDeploy(fake, connectorFor(fake, profile), b.deployment, { ownerId: owner() });
    expect(r.changed).toBe(true);
    expect(r.message).toMatch(/configuration NOT saved \(HTTP 503: config save in progress\); previous objects kept/);
    expect(objectsWithPrefix(fake, ours())).toEqual(expect.arrayContaining(aObjects));
    expect(objectsWithPrefix(fake, ours())).toHaveLength(6);
    expect(fake.savedConfigProblems(), 'the saved configuration (still on A) would load').toEqual([]);
    expect(await fake.servedFingerprint(`${profile}.test`)).toBe(b.deployment.fingerprint);
  });

  it('saveConfig: false saves nothing and keeps the previous objects', async () => {
    const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
    await mustDeploy(fake, connectorFor(fake, profile, { saveConfig: false }), a.deployment, { ownerId: owner() });
    const r = await mustDeploy(fake, connectorFor(fake, profile, { saveConfig: false }), b.deployment, { ownerId: owner() });
    expect(r.requests.filter((x) => x.route === 'saveConfig' || x.route === 'deleteCrypto')).toEqual([]);
    expect(r.message).toMatch(/configuration not saved \(saveConfig: false\); previous objects kept/);
    expect(objectsWithPrefix(fake, ours())).toHaveLength(6);
  });

  it('an abort during the commit rejects; the target stays consistent and the replay deploys the new certificate', async () => {
    const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
    await mustDeploy(fake, connectorFor(fake, profile), a.deployment, { ownerId: owner() });
    fake.setCommitMode('slow', 1500);
    const ac = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const o = await deploy(fake, connectorFor(fake, profile), b.deployment, {
      ownerId: owner(),
      signal: ac.signal,
      onRequest: (req) => {
        if (req.method === 'PATCH' && /\/mgmt\/tm\/transaction\/\d+$/.test(req.url)) timer ??= setTimeout(() => ac.abort(new Error('cancelled during commit')), 200);
      },
    });
    clearTimeout(timer);
    expect(timer, 'the commit was reached').toBeDefined();
    expect(o.ok).toBe(false);
    // Let the slow commit finish on the appliance, whichever way it goes.
    await new Promise((r) => setTimeout(r, 2000));
    const entry = entryOf(fake, path);
    expect([entry?.cert, entry?.key].every((p) => typeof p === 'string' && (fake.state.certs.has(p) || fake.state.keys.has(p))), 'the profile references existing objects').toBe(true);
    expect(fake.state.tokens.size).toBe(0);
    fake.setCommitMode('ok');
    await mustDeploy(fake, connectorFor(fake, profile), b.deployment, { ownerId: owner() });
    expect(await fake.servedFingerprint(`${profile}.test`)).toBe(b.deployment.fingerprint);
    expect(objectsWithPrefix(fake, ours()), 'only the objects of B remain').toHaveLength(3);
  });

  it('a token that expires mid-deploy is renewed once and the deploy completes', async () => {
    const cred = await mintCredential({ name: 'Expiry' });
    let expired = false;
    const r = await mustDeploy(fake, connectorFor(fake, profile), cred.deployment, {
      ownerId: owner(),
      onRequest: (req) => {
        if (!expired && req.url.endsWith('/mgmt/tm/sys/crypto/key')) {
          expired = true;
          fake.expireTokens();
        }
      },
    });
    expect(r.changed).toBe(true);
    expect(r.requests.filter((x) => x.route === 'login')).toHaveLength(2);
    expect(r.requests.filter((x) => x.status === 401)).toHaveLength(1);
    expect(fake.state.tokens.size).toBe(0);
  });

  it('a remote user (Basic refused) authenticates reads with a token too', async () => {
    fake.users.push({ username: 'ldap-user', password: 'ldap-password', role: 'manager', basic: false });
    const cred = await mintCredential({ name: 'Remote' });
    const user = { username: 'ldap-user', password: 'ldap-password' };
    await mustDeploy(fake, connectorFor(fake, profile, {}, user), cred.deployment, { ownerId: owner() });
    const replay = await mustDeploy(fake, connectorFor(fake, profile, {}, user), cred.deployment, { ownerId: owner() });
    expect(replay.changed).toBe(false);
    expect(lines(replay.requests.filter((x) => x.method !== 'GET'))).toEqual(['POST /mgmt/shared/authn/login', `DELETE /mgmt/shared/authz/tokens/${replay.requests.at(-1)?.path.split('/').pop()}`]);
    expect(fake.state.tokens.size).toBe(0);
  });

  it('a denied dial is the sandbox DeniedError, with no request sent', async () => {
    const cred = await mintCredential({ name: 'Denied' });
    const connector = connectorFor(fake, profile);
    const sandbox = createSandbox({ grant: { read: [], write: [], dial: [], exec: [] }, host: new LocalHost() });
    const from = fake.requests.length;
    try {
      await expect(connector.deploy(new AbortController().signal, sandbox, cred.deployment, { ownerId: owner() })).rejects.toSatisfy(isDenied);
    } finally {
      await sandbox.close();
    }
    expect(fake.requests.length).toBe(from);
  });
});

/**
 * Error classification and refusals of the f5BigIp connector: authentication and permission
 * failures are terminal, throttling and 5xx retryable, an unreachable or untrusted management
 * interface fails without any HTTP exchange, Ed25519 and missing credentials are refused
 * before any request, and no error ever carries the key, even when BIG-IP quotes it.
 */
import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { f5BigIpConnector } from '../../../../src/connectors/f5-big-ip/index.ts';
import { toPkcs1Pem, toSec1Pem } from '../../../../packages/connector-sdk/src/formats/index.ts';
import { CertDeployerError } from '../../../../packages/connector-sdk/src/sandbox/errors.ts';
import { mintCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { secretsFor, withSecrets } from '../../../conformance/fixtures/f5-big-ip.ts';
import { keyMaterialLeaks, mintChain } from '../../../support/certs/index.ts';
import { startF5Fake, type F5Fake } from '../../../support/f5-fake/index.ts';
import { connectorFor, deploy, entryOf } from './helpers.ts';

let fake: F5Fake;
let n = 0;
let profile = '';

beforeAll(async () => {
  fake = await startF5Fake({
    users: [
      { username: 'admin', password: 'admin-password', role: 'admin' },
      { username: 'auditor', password: 'auditor-password', role: 'guest' },
      { username: 'certops', password: 'certops-password', role: 'manager' },
    ],
  });
}, 60_000);
afterAll(async () => {
  await fake?.stop();
});
beforeEach(() => {
  profile = `err-${++n}`;
  fake.createProfile(profile);
  fake.setCommitMode('ok');
  fake.state.uploads.clear();
});

const classOf = (o: Awaited<ReturnType<typeof deploy>>) => {
  expect(o.ok, 'the deploy must fail').toBe(false);
  const e = o.ok ? undefined : (o.error as CertDeployerError);
  expect(e).toBeInstanceOf(CertDeployerError);
  return { code: e?.code, retryable: e?.retryable, message: e?.message ?? '' };
};

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

describe('authentication and permissions (terminal)', () => {
  it('a wrong password is terminal and names the credentials Secret', async () => {
    const cred = await mintCredential();
    const o = await deploy(fake, connectorFor(fake, profile, {}, { username: 'admin', password: 'wrong' }), cred.deployment);
    expect(classOf(o)).toMatchObject({ code: 'CD_ERR_CONNECTOR', retryable: false, message: expect.stringMatching(/log in as "admin".*401.*credentials Secret/) });
    expect(fake.state.tokens.size).toBe(0);
  });

  it('a read-only user is refused (403) at the first change: terminal, profile untouched, token deleted', async () => {
    const cred = await mintCredential();
    const before = structuredClone(entryOf(fake, `/Common/${profile}`));
    const o = await deploy(fake, connectorFor(fake, profile, {}, { username: 'auditor', password: 'auditor-password' }), cred.deployment);
    expect(classOf(o)).toMatchObject({ retryable: false, message: expect.stringMatching(/HTTP 403.*lacks a role/) });
    expect(entryOf(fake, `/Common/${profile}`)).toEqual(before);
    expect(fake.state.tokens.size).toBe(0);
  });

  it('a user without unix-rm (Manager role) deploys; the message says the uploaded files stay', async () => {
    const cred = await mintCredential();
    const o = await deploy(fake, connectorFor(fake, profile, {}, { username: 'certops', password: 'certops-password' }), cred.deployment);
    expect(o.ok).toBe(true);
    if (o.ok) expect(o.result.message).toMatch(/uploaded files stay in \/var\/config\/rest\/downloads/);
    expect(fake.state.uploads.size).toBe(3);
  });
});

describe('transient failures (retryable)', () => {
  it.each([
    ['getProfile', 503],
    ['createTransaction', 500],
    ['commit', 429],
  ] as const)('%s answering %i is retryable and leaves no new object behind', async (route, status) => {
    const cred = await mintCredential();
    const before = structuredClone(entryOf(fake, `/Common/${profile}`));
    const objectsBefore = [...fake.state.certs.keys(), ...fake.state.keys.keys()].sort();
    fake.failNext(route, status, 'the appliance is busy');
    const o = await deploy(fake, connectorFor(fake, profile), cred.deployment, { ownerId: `uid-e${n}/t` });
    expect(classOf(o)).toMatchObject({ code: 'CD_ERR_CONNECTOR', retryable: true, message: expect.stringContaining(`HTTP ${status}: the appliance is busy`) });
    expect(entryOf(fake, `/Common/${profile}`)).toEqual(before);
    expect([...fake.state.certs.keys(), ...fake.state.keys.keys()].sort()).toEqual(objectsBefore);
    expect(fake.state.tokens.size).toBe(0);
  });

  it('a closed management port is a retryable unreachable error', async () => {
    const cred = await mintCredential();
    const config = f5BigIpConnector.configSchema.parse({ address: `127.0.0.1:${await closedPort()}`, clientSslProfile: profile, credentialsRef: { name: 'bigip-credentials' } });
    const o = await deploy(fake, withSecrets(f5BigIpConnector.create(config), secretsFor(fake.users[0]!)), cred.deployment);
    expect(classOf(o)).toMatchObject({ code: 'CD_ERR_UNREACHABLE', retryable: true });
  });
});

describe('refusals', () => {
  it('a management certificate signed by another CA fails the TLS handshake: no HTTP request reaches the appliance', async () => {
    const cred = await mintCredential();
    const stranger = await mintChain({ name: 'Stranger' });
    for (const extra of [{}, { caBundle: stranger.rootPem }]) {
      const from = fake.requests.length;
      const config = f5BigIpConnector.configSchema.parse({ address: fake.address, clientSslProfile: profile, credentialsRef: { name: 'bigip-credentials' }, ...extra });
      const o = await deploy(fake, withSecrets(f5BigIpConnector.create(config), secretsFor(fake.users[0]!)), cred.deployment);
      expect(o.ok).toBe(false);
      expect(o.ok ? undefined : o.error).toBeInstanceOf(CertDeployerError);
      expect(fake.requests.length, 'the fake saw an HTTP request: verification was skipped').toBe(from);
    }
  });

  it('the wrong profile is terminal with a hint', async () => {
    const cred = await mintCredential();
    const o = await deploy(fake, connectorFor(fake, 'no-such-profile'), cred.deployment);
    expect(classOf(o)).toMatchObject({ retryable: false, message: expect.stringMatching(/\/Common\/no-such-profile does not exist/) });
    expect(o.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('an Ed25519 key is refused before any request', async () => {
    const cred = await mintCredential({ keyAlgorithm: 'ed25519' });
    const from = fake.requests.length;
    const o = await deploy(fake, connectorFor(fake, profile), cred.deployment);
    expect(classOf(o)).toMatchObject({ retryable: false, message: expect.stringMatching(/RSA, ECDSA or DSA keys, not Ed25519/) });
    expect(fake.requests.length).toBe(from);
  });

  it('a missing Secret or one without a password is terminal before any request', async () => {
    const cred = await mintCredential();
    const base = f5BigIpConnector.create(f5BigIpConnector.configSchema.parse({ address: fake.address, clientSslProfile: profile, credentialsRef: { name: 'bigip-credentials' }, caBundle: fake.caPem }));
    const from = fake.requests.length;
    const missing = await deploy(fake, withSecrets(base, new Map()), cred.deployment);
    expect(classOf(missing)).toMatchObject({ retryable: false, message: expect.stringMatching(/"bigip-credentials" was not found/) });
    const noPassword = await deploy(fake, withSecrets(base, new Map([['bigip-credentials', { username: secretsFor(fake.users[0]!).get('bigip-credentials')!.username! }]])), cred.deployment);
    expect(classOf(noPassword)).toMatchObject({ retryable: false, message: expect.stringMatching(/"username" and "password"/) });
    expect(fake.requests.length).toBe(from);
  });
});

describe('key hygiene', () => {
  it('when BIG-IP quotes the key in a refusal, the error carries none of it (PKCS#8 or the uploaded traditional form)', async () => {
    for (const keyAlgorithm of ['rsa', 'ecdsa-p256'] as const) {
      const cred = await mintCredential({ keyAlgorithm });
      fake.setCommitMode('fail');
      const o = await deploy(fake, connectorFor(fake, profile), cred.deployment, { ownerId: `uid-k${n}/${keyAlgorithm}` });
      expect(o.ok).toBe(false);
      const e = o.ok ? undefined : (o.error as Error);
      expect(e?.message).toMatch(/failed validation \(injected\)/);
      const traditional = (keyAlgorithm === 'rsa' ? toPkcs1Pem(cred.deployment) : toSec1Pem(cred.deployment)).reveal();
      const surfaces = [e?.message ?? '', e?.stack ?? '', JSON.stringify(e), inspect(e, { depth: 5 })];
      expect(keyMaterialLeaks(surfaces, [cred.keyPem, traditional])).toEqual([]);
    }
  });
});

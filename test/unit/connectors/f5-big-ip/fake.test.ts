/**
 * The fake BIG-IP itself, driven by a plain HTTPS client (not the connector): it must hold the
 * documented behaviour the connector is tested against, or the connector tests prove nothing.
 * Auth (token, Basic, expiry), uploads (Content-Range required, 1 MB chunks, reassembly),
 * installs, referential integrity on delete, and transactions (queued until commit, applied
 * atomically, nothing applied when one command fails).
 */
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { DEFAULT_CERT, DEFAULT_KEY, startF5Fake, type F5Fake } from '../../../support/f5-fake/index.ts';

let fake: F5Fake;
let token = '';

beforeAll(async () => {
  fake = await startF5Fake();
  token = ((await call('POST', '/mgmt/shared/authn/login', { username: 'admin', password: 'admin-password', loginProviderName: 'tmos' }, {})).json as { token: { token: string } }).token.token;
}, 60_000);
afterAll(async () => {
  await fake?.stop();
});

interface Res { status: number; json: unknown }

/** One HTTPS exchange with the fake, trusting its CA. */
function call(method: string, path: string, body?: unknown, headers: Record<string, string> = { 'x-f5-auth-token': token }): Promise<Res> {
  const [host, port] = fake.address.split(':');
  const data = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), path, method, ca: fake.caPem, headers: { ...(Buffer.isBuffer(body) ? {} : { 'content-type': 'application/json' }), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, json: text === '' ? undefined : JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

const upload = (name: string, data: Buffer, range: string, type = 'application/octet-stream') =>
  call('POST', `/mgmt/shared/file-transfer/uploads/${name}`, data, { 'x-f5-auth-token': token, 'content-type': type, 'content-range': range });

describe('fake BIG-IP: authentication', () => {
  it('refuses requests without credentials, with a bad token, and with an expired one', async () => {
    expect((await call('GET', '/mgmt/tm/sys/crypto/cert', undefined, {})).status).toBe(401);
    expect(await call('GET', '/mgmt/tm/sys/crypto/cert', undefined, { 'x-f5-auth-token': 'NOPE' })).toEqual({ status: 401, json: expect.objectContaining({ code: 401, message: 'X-F5-Auth-Token does not exist.' }) });
    const basic = { authorization: `Basic ${Buffer.from('admin:admin-password').toString('base64')}` };
    expect((await call('GET', '/mgmt/tm/sys/crypto/cert', undefined, basic)).status).toBe(200);
    const login = await call('POST', '/mgmt/shared/authn/login', { username: 'admin', password: 'admin-password', loginProviderName: 'tmos' }, {});
    const t = (login.json as { token: { token: string; timeout: number } }).token;
    expect(t.timeout).toBe(1200);
    fake.expireTokens();
    expect((await call('GET', '/mgmt/tm/sys/crypto/cert', undefined, { 'x-f5-auth-token': t.token })).status).toBe(401);
    token = ((await call('POST', '/mgmt/shared/authn/login', { username: 'admin', password: 'admin-password' }, {})).json as { token: { token: string } }).token.token;
  });
});

describe('fake BIG-IP: uploads and installs', () => {
  it('requires Content-Range and octet-stream, refuses chunks over 1 MB, reassembles chunks', async () => {
    const small = Buffer.from('hello');
    expect((await call('POST', '/mgmt/shared/file-transfer/uploads/x.txt', small, { 'x-f5-auth-token': token, 'content-type': 'application/octet-stream' })).status).toBe(400);
    expect((await upload('x.txt', small, '0-4/5', 'text/plain')).status).toBe(400);
    expect((await upload('x.txt', small, '0-3/5')).status).toBe(400);
    const big = Buffer.alloc(1024 * 1024 + 1, 7);
    expect((await upload('big.bin', big, `0-${big.length - 1}/${big.length}`)).status).toBe(400);
    const first = await upload('two.bin', big.subarray(0, 1024 * 1024), `0-${1024 * 1024 - 1}/${big.length}`);
    expect(first).toEqual({ status: 200, json: expect.objectContaining({ remainingByteCount: 1, totalByteCount: big.length, localFilePath: '/var/config/rest/downloads/two.bin' }) });
    expect((await upload('two.bin', big.subarray(1024 * 1024), `${1024 * 1024}-${big.length - 1}/${big.length}`)).json).toMatchObject({ remainingByteCount: 0 });
    expect(fake.state.uploads.get('/var/config/rest/downloads/two.bin')?.data.equals(big)).toBe(true);
  });

  it('installs a certificate with its SHA-256 fingerprint and refuses junk and missing files', async () => {
    const cred = await mintCredential();
    const pem = Buffer.from(cred.deployment.certificatePem);
    await upload('fake-test.crt', pem, `0-${pem.length - 1}/${pem.length}`);
    const res = await call('POST', '/mgmt/tm/sys/crypto/cert', { command: 'install', name: '/Common/fake-test.crt', 'from-local-file': '/var/config/rest/downloads/fake-test.crt' });
    expect(res.status).toBe(200);
    const fp = (res.json as { fingerprint: string }).fingerprint;
    expect(fp.replace('SHA256/', '').replaceAll(':', '').toLowerCase()).toBe(cred.deployment.fingerprint);
    expect((await call('POST', '/mgmt/tm/sys/crypto/cert', { command: 'install', name: 'fake-test.crt', 'from-local-file': '/var/config/rest/downloads/fake-test.crt' })).status).toBe(409);
    expect((await call('POST', '/mgmt/tm/sys/crypto/cert', { command: 'install', name: 'nofile.crt', 'from-local-file': '/var/config/rest/downloads/none' })).status).toBe(400);
    const junk = Buffer.from('not a certificate');
    await upload('junk.crt', junk, `0-${junk.length - 1}/${junk.length}`);
    expect((await call('POST', '/mgmt/tm/sys/crypto/key', { command: 'install', name: 'junk.key', 'from-local-file': '/var/config/rest/downloads/junk.crt' })).status).toBe(400);
    expect(JSON.stringify((await call('GET', '/mgmt/tm/sys/crypto/key/~Common~default.key')).json)).not.toContain('PRIVATE KEY');
  });

  it('refuses to delete an object a profile references', async () => {
    fake.createProfile('in-use');
    const res = await call('DELETE', `/mgmt/tm/sys/crypto/key/${DEFAULT_KEY.replaceAll('/', '~')}`);
    expect(res).toEqual({ status: 400, json: expect.objectContaining({ message: expect.stringMatching(/in use by ssl profile \/Common\/in-use/) }) });
    expect(fake.state.keys.has(DEFAULT_KEY)).toBe(true);
  });
});

describe('fake BIG-IP: transactions', () => {
  it('queues a PATCH sent with X-F5-REST-Coordination-Id and applies it only at commit', async () => {
    fake.createProfile('tx1', { certKeyChain: [] });
    const tx = (await call('POST', '/mgmt/tm/transaction', {})).json as { transId: number; state: string };
    expect(tx.state).toBe('STARTED');
    const queued = await call('PATCH', '/mgmt/tm/ltm/profile/client-ssl/~Common~tx1', { certKeyChain: [{ name: 'default', cert: DEFAULT_CERT, key: DEFAULT_KEY }] }, { 'x-f5-auth-token': token, 'x-f5-rest-coordination-id': String(tx.transId) });
    expect(queued.json).toMatchObject({ evalOrder: 1, method: 'PATCH' });
    expect(fake.state.profiles.get('/Common/tx1')?.certKeyChain).toEqual([]);
    const commit = await call('PATCH', `/mgmt/tm/transaction/${tx.transId}`, { state: 'VALIDATING' });
    expect(commit.json).toMatchObject({ transId: tx.transId, state: 'COMPLETED' });
    expect(fake.state.profiles.get('/Common/tx1')?.certKeyChain).toEqual([{ name: 'default', cert: DEFAULT_CERT, key: DEFAULT_KEY }]);
  });

  it('applies nothing when one queued command fails validation', async () => {
    fake.createProfile('tx2', { certKeyChain: [] });
    fake.createProfile('tx3', { certKeyChain: [] });
    const tx = (await call('POST', '/mgmt/tm/transaction', {})).json as { transId: number };
    const h = { 'x-f5-auth-token': token, 'x-f5-rest-coordination-id': String(tx.transId) };
    await call('PATCH', '/mgmt/tm/ltm/profile/client-ssl/~Common~tx2', { certKeyChain: [{ name: 'default', cert: DEFAULT_CERT, key: DEFAULT_KEY }] }, h);
    await call('PATCH', '/mgmt/tm/ltm/profile/client-ssl/~Common~tx3', { certKeyChain: [{ name: 'default', cert: DEFAULT_CERT, key: '/Common/missing.key' }] }, h);
    const commit = await call('PATCH', `/mgmt/tm/transaction/${tx.transId}`, { state: 'VALIDATING' });
    expect(commit.status).toBe(400);
    expect(fake.state.profiles.get('/Common/tx2')?.certKeyChain).toEqual([]);
    expect(fake.state.transactions.get(tx.transId)?.state).toBe('FAILED');
  });

  it('refuses a certificate and key that do not match', async () => {
    const other = await mintCredential();
    const pem = Buffer.from(other.deployment.certificatePem);
    await upload('mismatch.crt', pem, `0-${pem.length - 1}/${pem.length}`);
    await call('POST', '/mgmt/tm/sys/crypto/cert', { command: 'install', name: '/Common/mismatch.crt', 'from-local-file': '/var/config/rest/downloads/mismatch.crt' });
    fake.createProfile('tx4');
    const res = await call('PATCH', '/mgmt/tm/ltm/profile/client-ssl/~Common~tx4', { certKeyChain: [{ name: 'default', cert: '/Common/mismatch.crt', key: DEFAULT_KEY }] });
    expect(res).toEqual({ status: 400, json: expect.objectContaining({ message: expect.stringMatching(/do not match/) }) });
  });
});

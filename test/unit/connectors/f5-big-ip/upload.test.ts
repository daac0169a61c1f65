/** The connector's upload through the real sandbox: a file over 1 MB goes up in documented chunks and arrives whole. */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { IControlClient } from '../../../../src/connectors/f5-big-ip/icontrol-client.ts';
import { MAX_CHUNK_BYTES, uploadFile } from '../../../../src/connectors/f5-big-ip/upload.ts';
import { SecretValue } from '../../../../packages/connector-sdk/src/deployment.ts';
import { createSandbox } from '../../../../packages/connector-sdk/src/sandbox/checked-sandbox.ts';
import { LocalHost } from '../../../../packages/connector-sdk/src/sandbox/host/local-host.ts';
import { startF5Fake, type F5Fake } from '../../../support/f5-fake/index.ts';

let fake: F5Fake;
beforeAll(async () => {
  fake = await startF5Fake();
}, 60_000);
afterAll(async () => {
  await fake?.stop();
});

it('uploads 2.5 MB in three Content-Range chunks of at most 1 MB, reassembled byte for byte', async () => {
  const sandbox = createSandbox({ grant: { read: [], write: [], dial: [fake.address], exec: [] }, host: new LocalHost() });
  const api = new IControlClient({ sandbox, address: fake.address, ca: fake.caPem, username: 'admin', password: new SecretValue('admin-password') });
  const data = randomBytes(Math.floor(MAX_CHUNK_BYTES * 2.5));
  const from = fake.requests.length;
  try {
    const path = await uploadFile(api, 'big.bin', data, new AbortController().signal);
    expect(path).toBe('/var/config/rest/downloads/big.bin');
    await api.logout();
  } finally {
    await sandbox.close();
  }
  expect(fake.requests.slice(from).filter((r) => r.route === 'upload').map((r) => r.status)).toEqual([200, 200, 200]);
  expect(fake.state.uploads.get('/var/config/rest/downloads/big.bin')?.data.equals(data)).toBe(true);
  expect(fake.state.tokens.size).toBe(0);
});

/**
 * Trust on first use against a real sshd: without a pinned key the connection is refused;
 * with trustOnFirstUse the key the server presented is reported exactly, for pinning.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHostPool } from '../../../src/controller/host-pool.ts';
import { startSshd, type Sshd } from '../../../packages/connector-sdk/src/testing/sshd.ts';

let sshd: Sshd;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

describe('host pool: trust on first use', () => {
  it('reports the observed host key line, which matches the server key', async () => {
    const data = { 'ssh-privatekey': Buffer.from(sshd.clientKey.privateKey).toString('base64') };
    const pool = createHostPool({ getSecret: async (namespace, name) => ({ metadata: { name, namespace, resourceVersion: '1' }, data }) });
    const config = { ssh: { address: sshd.address, user: sshd.user, credentialsRef: { name: 'k' }, trustOnFirstUse: true } };
    try {
      expect(pool.observedHostKey('ns', config)).toBeUndefined();
      const host = await pool.hostFor('ns', config, new AbortController().signal);
      await host.realpath('/');
      const line = pool.observedHostKey('ns', config);
      const [type, blob] = sshd.hostKey.publicLine.split(' ');
      expect(line).toContain(`${type} ${blob}`);
      expect(line).toMatch(/SHA256:/);
    } finally {
      await pool.close();
    }
  });
});

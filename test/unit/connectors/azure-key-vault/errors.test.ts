/**
 * Error classification end to end (SDK → sandbox transport → fake vault): throttling, 5xx and
 * an unreachable vault are retryable; RBAC denial, a rejected token, a refused import, a
 * challenge that does not match the vault and an untrusted server certificate are not
 * retried as if they could heal by themselves. Every error is a CertDeployerError.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertDeployerError } from '../../../../packages/connector-sdk/src/sandbox/errors.ts';
import { mintCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { startAzureFakes, type AzureFakes } from '../../../support/azure-key-vault/index.ts';
import { connectorFor, deploy, errorOf, uniqueName } from './helpers.ts';

let fakes: AzureFakes;
let dep: Awaited<ReturnType<typeof mintCredential>>['deployment'];
beforeAll(async () => {
  fakes = await startAzureFakes();
  dep = (await mintCredential()).deployment;
}, 60_000);
afterAll(async () => {
  await fakes?.close();
});

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

describe('azureKeyVault error classification', () => {
  it.each([
    [429, 'GET', { 'retry-after': '1' }],
    [503, 'GET', {}],
    [500, 'POST', {}],
  ] as const)('HTTP %i on %s is retryable', async (status, method, headers) => {
    fakes.vault.inject({ status, method, headers, code: status === 429 ? 'Throttled' : 'ServiceUnavailable' });
    const e = errorOf(await deploy(connectorFor(fakes, uniqueName(`s${status}`)), dep));
    expect(e).toBeInstanceOf(CertDeployerError);
    expect(e).toMatchObject({ code: 'CD_ERR_CONNECTOR', retryable: true });
    expect(e.message).toContain(`HTTP ${status}`);
  });

  it('an RBAC denial (403) is terminal and names the Key Vault error', async () => {
    fakes.vault.forbidden = true;
    try {
      const e = errorOf(await deploy(connectorFor(fakes, uniqueName('rbac')), dep));
      expect(e).toMatchObject({ code: 'CD_ERR_CONNECTOR', retryable: false });
      expect(e.message).toMatch(/Forbidden.*HTTP 403/);
    } finally {
      fakes.vault.forbidden = false;
    }
  });

  it('a token the vault does not accept (401) is terminal', async () => {
    const bad = { getToken: async () => ({ token: 'not-a-valid-token', expiresOnTimestamp: Date.now() + 3_600_000 }) };
    const e = errorOf(await deploy(connectorFor(fakes, uniqueName('badtoken'), {}, bad), dep));
    expect(e).toMatchObject({ code: 'CD_ERR_CONNECTOR', retryable: false });
    expect(e.message).toContain('HTTP 401');
  });

  it('an import the vault refuses (400) is terminal and nothing is stored', async () => {
    const name = uniqueName('refused');
    fakes.vault.importMode = 'reject';
    try {
      const e = errorOf(await deploy(connectorFor(fakes, name), dep));
      expect(e).toMatchObject({ code: 'CD_ERR_CONNECTOR', retryable: false });
      expect(e.message).toMatch(/importing certificate .*BadParameter.*HTTP 400/);
    } finally {
      fakes.vault.importMode = 'ok';
    }
    expect(fakes.vault.certificates.has(name)).toBe(false);
  });

  it('an unreachable vault is the sandbox\'s retryable CD_ERR_UNREACHABLE, unwrapped', async () => {
    const port = await closedPort();
    const e = errorOf(await deploy(connectorFor(fakes, uniqueName('down'), { vaultUrl: `https://127.0.0.1:${port}` }), dep));
    expect(e).toMatchObject({ code: 'CD_ERR_UNREACHABLE', retryable: true });
  });

  it('with challenge resource verification on (the default), a vault whose challenge names another resource is refused terminally', async () => {
    const e = errorOf(await deploy(connectorFor(fakes, uniqueName('challenge'), { disableChallengeResourceVerification: false }), dep));
    expect(e).toMatchObject({ code: 'CD_ERR_CONNECTOR', retryable: false });
    expect(e.message).toMatch(/challenge resource 'vault\.azure\.net' does not match/);
  });

  it('without caBundle the private CA is not trusted: the deploy fails, nothing is imported', async () => {
    const name = uniqueName('untrusted');
    const c = connectorFor(fakes, name, { caBundle: undefined });
    const e = errorOf(await deploy(c, dep));
    expect(e).toBeInstanceOf(CertDeployerError);
    expect(e.message).not.toMatch(/imported/);
    expect(fakes.vault.certificates.has(name)).toBe(false);
  });
});

/**
 * Test harness for the azureKeyVault connector: a fake Key Vault and a fake Entra, both on
 * HTTPS with a private CA minted per run (its root is what a test passes as `caBundle`, so
 * TLS is verified end to end and nothing turns verification off).
 *
 * Why fakes and not Lowkey Vault: the Lowkey Vault jar is not served by the Maven Central
 * this machine reaches (every `com.github.nagyesta` path answers 404), so the documented
 * REST routes are faked instead. See docs/connectors/azure-key-vault.md for what that means.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { mintChain } from '../certs/index.ts';
import { FakeEntra, type EntraApp } from './fake-entra.ts';
import { FakeKeyVault } from './fake-key-vault.ts';

export { FakeEntra, FakeKeyVault };
export type { EntraApp };
export type { Fault, LoggedRequest } from './fake-key-vault.ts';
export type { StoredCertificate, StoredVersion } from './vault-state.ts';

export interface AzureFakes {
  readonly vault: FakeKeyVault;
  readonly entra: FakeEntra;
  /** The private root CA both servers chain to: the connector's `caBundle`. */
  readonly caPem: string;
  readonly tenantId: string;
  /** A registered service principal with a client secret. */
  readonly app: Required<Pick<EntraApp, 'tenantId' | 'clientId' | 'clientSecret'>>;
  /** A bearer token the vault accepts without any Entra round trip. */
  readonly staticToken: string;
  /** A credential returning `staticToken` (makes no requests). */
  readonly staticCredential: TokenCredential;
  close(): Promise<void>;
}

/** Starts both fakes on free loopback ports. */
export async function startAzureFakes(): Promise<AzureFakes> {
  const chain = await mintChain({ name: 'Azure fakes', intermediates: 1, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const tls = { certPem: chain.chainPem.slice(0, -1).join(''), keyPem: chain.keyPem };
  const tenantId = randomUUID();
  const staticToken = `static-${randomBytes(16).toString('hex')}`;
  const entra = await FakeEntra.start(tls);
  const vault = await FakeKeyVault.start({ tls, tenantId, authority: entra.url, acceptToken: (t) => t === staticToken || entra.issued.has(t) });
  const app = { tenantId, clientId: randomUUID(), clientSecret: randomBytes(24).toString('base64url') };
  entra.apps.push(app);
  const staticCredential: TokenCredential = {
    getToken: async (): Promise<AccessToken> => ({ token: staticToken, expiresOnTimestamp: Date.now() + 3_600_000 }),
  };
  return {
    vault,
    entra,
    caPem: chain.rootPem,
    tenantId,
    app,
    staticToken,
    staticCredential,
    async close() {
      await Promise.all([vault.close(), entra.close()]);
    },
  };
}

/**
 * The pod's workload identity is held to the grant: the projected token file is read through
 * the sandbox (declared, so the policy must list it), the token request goes only to the
 * authority the grant holds, the pod's identity is asked for Key Vault tokens only, and the
 * managed identity endpoints (IMDS, App Service IDENTITY_ENDPOINT/MSI_ENDPOINT) are never
 * dialled. The fakes are the HTTPS fake Entra and fake Key Vault of test/support; a recording
 * listener on 127.0.0.1 stands in for an authority or identity endpoint that must see nothing.
 *
 * Before the fix, WorkloadIdentityCredential read the token file with node:fs whatever the
 * grant said, the pod's federated token went to whatever authorityHost the block named, and a
 * vault whose challenge named another resource got a token for it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { azureKeyVaultConfig, createAzureKeyVaultConnector } from '../../../../src/connectors/azure-key-vault/index.ts';
import { ambientAuthorityProblem } from '../../../../src/connectors/azure-key-vault/ambient-authority.ts';
import { ambientVaultProblem } from '../../../../src/connectors/azure-key-vault/ambient-vault.ts';
import { isKeyVaultScope } from '../../../../src/connectors/azure-key-vault/key-vault-scope.ts';
import { grantShortfall } from '../../../../src/controller/grant-shortfall.ts';
import { effectiveGrant } from '../../../../packages/connector-sdk/src/sandbox/effective-grant.ts';
import { isDenied, type DeniedError } from '../../../../packages/connector-sdk/src/sandbox/errors.ts';
import type { Policy } from '../../../../packages/connector-sdk/src/sandbox/grant.ts';
import { mintChain } from '../../../support/certs/index.ts';
import { mintCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { FakeKeyVault, startAzureFakes, type AzureFakes } from '../../../support/azure-key-vault/index.ts';
import { startRecordingListener, type RecordingListener } from '../../../support/cloud-identity/recording-listener.ts';
import { connectorFor, deploy, errorOf, mustDeploy, uniqueName, type Outcome } from './helpers.ts';

const IDENTITY_ENV = ['AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_FEDERATED_TOKEN_FILE', 'IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'MSI_ENDPOINT', 'MSI_SECRET', 'AZURE_POD_IDENTITY_AUTHORITY_HOST'];
const saved = Object.fromEntries(IDENTITY_ENV.map((k) => [k, process.env[k]]));
let fakes: AzureFakes;
let listener: RecordingListener;
let dep: Awaited<ReturnType<typeof mintCredential>>['deployment'];
let dir = '';
let tokenFile = '';
let federated = '';
let clientId = '';

const host = (url: string) => new URL(url).host;
const wi = (name: string, extra: Record<string, unknown> = {}) => connectorFor(fakes, name, { authorityHost: fakes.entra.url, ...extra }, null);
const policy = (hosts: string[], pathRoots: string[] = []): Policy => ({ hosts, pathRoots, ambientCloudIdentity: true });
const ctx = { allowAmbientIdentity: true };

function deniedOf(o: Outcome): DeniedError {
  const e = o.ok ? undefined : o.error;
  expect(isDenied(e), String(e)).toBe(true);
  return e as DeniedError;
}

beforeAll(async () => {
  fakes = await startAzureFakes();
  listener = await startRecordingListener();
  dep = (await mintCredential()).deployment;
  dir = await mkdtemp(join(tmpdir(), 'cd-akv-ambient-'));
}, 60_000);
beforeEach(async () => {
  for (const k of IDENTITY_ENV) delete process.env[k];
  federated = `eyJ.projected-${uniqueName()}`;
  tokenFile = join(dir, `token-${uniqueName()}`);
  await writeFile(tokenFile, federated);
  clientId = `wi-${uniqueName()}`;
  fakes.entra.apps.push({ tenantId: fakes.tenantId, clientId, federatedToken: federated });
  Object.assign(process.env, { AZURE_CLIENT_ID: clientId, AZURE_TENANT_ID: fakes.tenantId, AZURE_FEDERATED_TOKEN_FILE: tokenFile });
  listener.reset();
});
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});
afterAll(async () => {
  await fakes?.close();
  await listener?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('azureKeyVault workload identity under a policy', () => {
  it('declares the vault, the authority and the projected token file', () => {
    const c = wi(uniqueName('decl'));
    expect(c.capabilities()).toEqual({ read: [tokenFile], write: [], exec: [], dial: [host(fakes.vault.url), host(fakes.entra.url)] });
    expect(grantShortfall(c.capabilities(), policy([host(fakes.vault.url), host(fakes.entra.url)]))).toEqual([`read ${tokenFile}`]);
  });

  it('a policy without the token file: DeniedError on the read, and no token request at all', async () => {
    const c = wi(uniqueName('noread'));
    const before = fakes.entra.tokenRequests.length;
    const o = await deploy(c, dep, { ctx, grant: effectiveGrant(c.capabilities(), policy([host(fakes.vault.url), host(fakes.entra.url)])) });
    const e = deniedOf(o);
    expect(e.capability).toBe('file.read');
    expect(e.subject).toBe(tokenFile);
    expect(fakes.entra.tokenRequests.length).toBe(before);
  });

  it('a policy listing all three: the token file is read through the sandbox and the deploy succeeds', async () => {
    const c = wi(uniqueName('ok'));
    const before = fakes.entra.tokenRequests.length;
    const r = await mustDeploy(c, dep, { ctx, grant: effectiveGrant(c.capabilities(), policy([host(fakes.vault.url), host(fakes.entra.url)], [tokenFile])) });
    expect(r.changed).toBe(true);
    expect(fakes.entra.tokenRequests.slice(before)).toMatchObject([{ clientId, usedAssertion: true, scope: 'https://vault.azure.net/.default', status: 200 }]);
  });

  it('an authorityHost from the resource that the policy does not list: DeniedError naming it, no socket opened to it', async () => {
    const c = wi(uniqueName('authority'), { authorityHost: `https://${listener.address}` });
    expect(c.capabilities().dial).toContain(listener.address);
    const o = await deploy(c, dep, { ctx, grant: effectiveGrant(c.capabilities(), policy([host(fakes.vault.url)], [tokenFile])) });
    expect(deniedOf(o).subject).toBe(listener.address);
    expect(listener.connections).toBe(0);
  });

  it('a non-Entra authorityHost never receives the pod\'s federated token, even when the policy lists it: refused before the token file is read', async () => {
    const c = wi(uniqueName('rogue-authority'), { authorityHost: 'https://login.tenant-b.example' });
    const grant = c.capabilities();
    expect(grant.dial).toContain('login.tenant-b.example:443');
    const o = await deploy(c, dep, { ctx, grant: effectiveGrant(grant, policy([...grant.dial], [tokenFile])) });
    const e = errorOf(o);
    expect(e).toMatchObject({ code: 'CD_ERR_CONNECTOR', retryable: false });
    expect(e.message).toMatch(/refusing to send the pod's workload identity token to login\.tenant-b\.example/);
    expect(o.sandbox.calls.readFile.attempted).toBe(0);
    expect(o.sandbox.calls.request.attempted).toBe(0);
  });

  it('a non-Key-Vault vaultUrl never receives a token of the pod\'s identity, even when the policy lists it: refused before the token file is read', async () => {
    const c = createAzureKeyVaultConnector(azureKeyVaultConfig.parse({
      vaultUrl: 'https://vault.tenant-b.example', certificateName: uniqueName('rogue-vault'), authorityHost: fakes.entra.url, disableChallengeResourceVerification: true,
    }));
    const grant = c.capabilities();
    const o = await deploy(c, dep, { ctx, grant: effectiveGrant(grant, policy([...grant.dial], [tokenFile])) });
    const e = errorOf(o);
    expect(e).toMatchObject({ code: 'CD_ERR_CONNECTOR', retryable: false });
    expect(e.message).toMatch(/refusing to send a Key Vault token of the pod's workload identity to vault\.tenant-b\.example/);
    expect(o.sandbox.calls.readFile.attempted).toBe(0);
    expect(o.sandbox.calls.request.attempted).toBe(0);
  });

  it('a vault challenge naming a resource other than Key Vault gets no token of the pod\'s identity', async () => {
    const own = await mintChain({ name: 'other vault', intermediates: 1, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    const rogue = await FakeKeyVault.start({
      tls: { certPem: own.chainPem.slice(0, -1).join(''), keyPem: own.keyPem },
      tenantId: fakes.tenantId,
      authority: fakes.entra.url,
      resource: 'https://management.azure.com',
      acceptToken: () => true,
    });
    try {
      const config = azureKeyVaultConfig.parse({
        vaultUrl: rogue.url, certificateName: uniqueName('rogue'), authorityHost: fakes.entra.url, caBundle: `${fakes.caPem}${own.rootPem}`,
        disableChallengeResourceVerification: true,
      });
      const c = createAzureKeyVaultConnector(config);
      const before = fakes.entra.tokenRequests.length;
      const e = errorOf(await deploy(c, dep, { ctx }));
      expect(e).toMatchObject({ code: 'CD_ERR_CONNECTOR', retryable: false });
      expect(e.message).toMatch(/refusing to request a token of the pod's workload identity for "https:\/\/management\.azure\.com/);
      expect(fakes.entra.tokenRequests.slice(before).map((r) => r.scope)).toEqual([]);
    } finally {
      await rogue.close();
    }
  });

  it('without workload identity variables, managed identity endpoints are never dialled and the reason is clear', async () => {
    for (const k of ['AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_FEDERATED_TOKEN_FILE']) delete process.env[k];
    Object.assign(process.env, { IDENTITY_ENDPOINT: `${listener.url}/msi/token`, IDENTITY_HEADER: 'h', MSI_ENDPOINT: `${listener.url}/msi`, MSI_SECRET: 's' });
    const c = wi(uniqueName('msi'));
    expect(c.capabilities().read).toEqual([]);
    const e = errorOf(await deploy(c, dep, { ctx }));
    expect(e).toMatchObject({ code: 'CD_ERR_CONNECTOR', retryable: false });
    expect(e.message).toMatch(/workload identity is not configured for this pod: AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE are not set/);
    expect(e.message).toMatch(/Managed identity .* is not used/);
    expect(listener.connections).toBe(0);
  });
});

describe('authority hosts for the pod\'s token', () => {
  it('accepts Microsoft Entra hosts of every cloud and loopback, nothing else', () => {
    for (const ok of ['https://login.microsoftonline.com', 'https://login.microsoftonline.us/', 'https://login.chinacloudapi.cn', 'https://LOGIN.microsoftonline.com:443', 'https://127.0.0.1:8443', 'https://localhost']) {
      expect(ambientAuthorityProblem(ok), ok).toBeNull();
    }
    for (const bad of ['https://login.microsoftonline.com.evil.example', 'https://login.microsoftonline.com:8443', 'https://evil.example', 'https://10.1.2.3']) {
      expect(ambientAuthorityProblem(bad), bad).toMatch(/refusing to send/);
    }
  });
});

describe('vault hosts for the pod\'s token', () => {
  it('accepts Key Vault and Managed HSM hosts of every cloud and loopback, nothing else', () => {
    for (const ok of ['https://shop.vault.azure.net', 'https://shop.vault.azure.cn/', 'https://h.managedhsm.azure.net', 'https://127.0.0.1:8443', 'https://[::1]:8443']) {
      expect(ambientVaultProblem(ok), ok).toBeNull();
    }
    for (const bad of ['https://vault.azure.net', 'https://shop.vault.azure.net.evil.example', 'https://evilvault.azure.net', 'https://10.1.2.3']) {
      expect(ambientVaultProblem(bad), bad).toMatch(/refusing to send/);
    }
  });
});

describe('Key Vault scopes', () => {
  it('accepts Key Vault and Managed HSM audiences of every cloud, nothing else', () => {
    for (const s of ['https://vault.azure.net/.default', 'https://vault.azure.cn/.default', 'https://vault.usgovcloudapi.net/.default', 'https://managedhsm.azure.net/.default', 'https://VAULT.azure.net']) {
      expect(isKeyVaultScope(s), s).toBe(true);
    }
    for (const s of ['https://management.azure.com/.default', 'https://graph.microsoft.com/.default', 'https://vault.azure.net.evil.example/.default', 'https://storage.azure.com/.default', 'api://AzureADTokenExchange/.default']) {
      expect(isKeyVaultScope(s), s).toBe(false);
    }
  });
});

/**
 * How the connector authenticates: a service principal from the referenced Secret, or the
 * pod's workload identity when the operator policy allows it — both with the real
 * @azure/identity credentials, sending every token request through the sandbox to the fake
 * Entra. Also: what each mode declares in its grant, and that secrets never reach errors.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { azureKeyVaultConfig, azureKeyVaultConnector, createAzureKeyVaultConnector } from '../../../../src/connectors/azure-key-vault/index.ts';
import { isDenied } from '../../../../packages/connector-sdk/src/sandbox/errors.ts';
import { mintCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { startAzureFakes, type AzureFakes } from '../../../support/azure-key-vault/index.ts';
import { connectorFor, deploy, errorOf, mustDeploy, spSecrets, uniqueName } from './helpers.ts';

let fakes: AzureFakes;
let dep: Awaited<ReturnType<typeof mintCredential>>['deployment'];
let dir = '';
const savedEnv = { ...process.env };
beforeAll(async () => {
  fakes = await startAzureFakes();
  dep = (await mintCredential()).deployment;
  dir = await mkdtemp(join(tmpdir(), 'cd-akv-wi-'));
}, 60_000);
afterAll(async () => {
  await fakes?.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  for (const k of ['AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_FEDERATED_TOKEN_FILE']) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
});

const sp = { credentialsRef: { name: 'azure-sp' } };
const spConnector = (name: string) => connectorFor(fakes, name, { ...sp, authorityHost: fakes.entra.url }, null);
const wiConnector = (name: string) => connectorFor(fakes, name, { authorityHost: fakes.entra.url }, null);

describe('azureKeyVault grant', () => {
  it('declares exactly the vault, plus the authority when it fetches tokens (default login.microsoftonline.com:443)', () => {
    const base = { vaultUrl: 'https://my-vault.vault.azure.net', certificateName: 'web' };
    const grant = (extra: Record<string, unknown>, injected = false) =>
      createAzureKeyVaultConnector(azureKeyVaultConfig.parse({ ...base, ...extra }), injected ? { credential: fakes.staticCredential } : {}).capabilities();
    expect(grant({}, true)).toEqual({ read: [], write: [], dial: ['my-vault.vault.azure.net:443'], exec: [] });
    expect(grant(sp).dial).toEqual(['my-vault.vault.azure.net:443', 'login.microsoftonline.com:443']);
    expect(grant({}).dial).toEqual(['my-vault.vault.azure.net:443', 'login.microsoftonline.com:443']);
    expect(grant({ vaultUrl: 'https://[::1]:8443/', authorityHost: 'https://login.microsoftonline.us' }).dial).toEqual(['[::1]:8443', 'login.microsoftonline.us:443']);
  });

  it('secretRefs names the credentials Secret, and nothing without one', () => {
    const parse = (extra: Record<string, unknown>) => azureKeyVaultConnector.configSchema.parse({ vaultUrl: 'https://v.vault.azure.net', certificateName: 'web', ...extra });
    expect(azureKeyVaultConnector.secretRefs?.(parse(sp))).toEqual(['azure-sp']);
    expect(azureKeyVaultConnector.secretRefs?.(parse({}))).toEqual([]);
  });
});

describe('azureKeyVault client-secret credential', () => {
  it('gets an app-only token for Key Vault from the configured authority and deploys with it', async () => {
    const before = fakes.entra.tokenRequests.length;
    const r = await mustDeploy(spConnector(uniqueName('sp')), dep, { ctx: { secrets: spSecrets(fakes) } });
    expect(r.changed).toBe(true);
    const requests = fakes.entra.tokenRequests.slice(before);
    expect(requests).toEqual([
      { tenant: fakes.tenantId, grantType: 'client_credentials', clientId: fakes.app.clientId, scope: 'https://vault.azure.net/.default', usedSecret: true, usedAssertion: false, status: 200 },
    ]);
  });

  it('a wrong client secret is terminal, and the secret is not in the error', async () => {
    const wrong = 'wrong-secret-value-that-must-not-leak';
    const o = await deploy(spConnector(uniqueName('wrong')), dep, { ctx: { secrets: spSecrets(fakes, { 'client-secret': wrong }) } });
    const e = errorOf(o);
    expect(e).toMatchObject({ code: 'CD_ERR_CONNECTOR', retryable: false });
    expect(e.message).toMatch(/invalid_client/);
    expect(`${e.message}\n${JSON.stringify(o)}`).not.toContain(wrong);
  });

  it('an Entra outage (503) is retryable', async () => {
    fakes.entra.failTokens = { status: 503, times: 1 };
    const e = errorOf(await deploy(spConnector(uniqueName('entra503')), dep, { ctx: { secrets: spSecrets(fakes) } }));
    expect(e).toMatchObject({ code: 'CD_ERR_CONNECTOR', retryable: true });
  });

  it('a missing Secret or missing keys are terminal and name what is missing, before any request', async () => {
    const none = await deploy(spConnector(uniqueName('nosecret')), dep, { ctx: { secrets: new Map() } });
    expect(errorOf(none)).toMatchObject({ retryable: false });
    expect(errorOf(none).message).toMatch(/Secret azure-sp was not found.*tenant-id, client-id, client-secret/);
    expect(none.sandbox.calls.request.attempted).toBe(0);
    const partial = await deploy(spConnector(uniqueName('partial')), dep, { ctx: { secrets: spSecrets(fakes, { 'client-secret': ' ' }) } });
    expect(errorOf(partial).message).toMatch(/Secret azure-sp has no client-secret$/);
  });

  it('without the authority in the grant, the token request is the sandbox\'s DeniedError, unwrapped', async () => {
    const c = spConnector(uniqueName('denied'));
    const grant = { ...c.capabilities(), dial: [new URL(fakes.vault.url).host] };
    const o = await deploy(c, dep, { grant, ctx: { secrets: spSecrets(fakes) } });
    expect(isDenied(o.ok ? undefined : o.error)).toBe(true);
    expect(errorOf(o).message).toContain(new URL(fakes.entra.url).host);
  });
});

describe('azureKeyVault workload identity', () => {
  it('is refused unless the operator policy allows ambient identity, before any request', async () => {
    const o = await deploy(wiConnector(uniqueName('wi-off')), dep, { ctx: { allowAmbientIdentity: false } });
    expect(errorOf(o)).toMatchObject({ code: 'CD_ERR_CONNECTOR', retryable: false });
    expect(errorOf(o).message).toMatch(/ambientCloudIdentity/);
    expect(o.sandbox.calls.request.attempted).toBe(0);
  });

  it('allowed but not configured on the pod (no AZURE_* variables) is terminal', async () => {
    for (const k of ['AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_FEDERATED_TOKEN_FILE']) delete process.env[k];
    const e = errorOf(await deploy(wiConnector(uniqueName('wi-unset')), dep, { ctx: { allowAmbientIdentity: true } }));
    expect(e).toMatchObject({ code: 'CD_ERR_CONNECTOR', retryable: false });
    expect(e.message).toMatch(/workload identity is not configured/);
  });

  it('presents the projected service account token as a federated assertion and deploys', async () => {
    const federated = `eyJ.projected-token-${Date.now()}`;
    const tokenFile = join(dir, 'azure-identity-token');
    await writeFile(tokenFile, federated);
    const clientId = `wi-${uniqueName()}`;
    fakes.entra.apps.push({ tenantId: fakes.tenantId, clientId, federatedToken: federated });
    Object.assign(process.env, { AZURE_CLIENT_ID: clientId, AZURE_TENANT_ID: fakes.tenantId, AZURE_FEDERATED_TOKEN_FILE: tokenFile });
    const before = fakes.entra.tokenRequests.length;
    const r = await mustDeploy(wiConnector(uniqueName('wi')), dep, { ctx: { allowAmbientIdentity: true } });
    expect(r.changed).toBe(true);
    expect(fakes.entra.tokenRequests.slice(before)).toEqual([
      { tenant: fakes.tenantId, grantType: 'client_credentials', clientId, scope: 'https://vault.azure.net/.default', usedSecret: false, usedAssertion: true, status: 200 },
    ]);
  });
});

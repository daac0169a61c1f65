/**
 * docs/connectors/azure-key-vault.md must stay a working page: its CertificateDeployment
 * validates against the zod spec the CRD is generated from, and its policy example allows
 * every address the targets declare (no GrantDenied) and the ambient identity the
 * workload-identity target needs, checked with the controller's own shortfall.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { yamlBlocks as pageBlocks } from '../../../support/connector-docs.ts';
import { azureKeyVaultConnector, createAzureKeyVaultConnector } from '../../../../src/connectors/azure-key-vault/index.ts';
import { connectorBlocks } from '../../../../src/connectors/registry.ts';
import { grantShortfall } from '../../../../src/controller/grant-shortfall.ts';
import { specSchema } from '../../../../src/crds/spec.ts';
import type { Policy } from '../../../../packages/connector-sdk/src/sandbox/grant.ts';

/** What the AKS workload identity webhook injects into the operator pod. */
const AKS_ENV = { AZURE_CLIENT_ID: '22222222-2222-2222-2222-222222222222', AZURE_TENANT_ID: '11111111-1111-1111-1111-111111111111', AZURE_FEDERATED_TOKEN_FILE: '/var/run/secrets/azure/tokens/azure-identity-token' };
const page = join(import.meta.dirname, '..', '..', '..', '..', 'docs', 'connectors', 'azure-key-vault.md');


describe('docs/connectors/azure-key-vault.md', () => {
  it('its CertificateDeployment is valid, and the policy example allows every target it declares', async () => {
    const blocks = await pageBlocks(page);
    const cd = blocks.find((b) => (b as { kind?: string }).kind === 'CertificateDeployment') as { spec: unknown } | undefined;
    const policy = (blocks.find((b) => (b as { policy?: unknown }).policy !== undefined) as { policy: Policy } | undefined)?.policy;
    expect(cd, 'no CertificateDeployment on the page').toBeDefined();
    expect(policy, 'no policy example on the page').toBeDefined();
    const spec = specSchema(connectorBlocks()).parse(cd?.spec);
    expect(spec.targets.length).toBe(2);
    let ambient = 0;
    for (const target of spec.targets) {
      const block = azureKeyVaultConnector.configSchema.parse((target as { azureKeyVault?: unknown }).azureKeyVault);
      expect(grantShortfall(createAzureKeyVaultConnector(block, { env: AKS_ENV }).capabilities(), policy as Policy), `target ${target.name}`).toEqual([]);
      if (block.credentialsRef === undefined) ambient++;
    }
    expect(ambient).toBe(1);
    expect(policy?.ambientCloudIdentity).toBe(true);
  });
});

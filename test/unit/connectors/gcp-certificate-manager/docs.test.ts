/**
 * docs/connectors/gcp-certificate-manager.md must stay a working page: each
 * CertificateDeployment validates against the spec the CRD is generated from, and the policy
 * example that follows it allows every target's grant (checked with the controller's own
 * shortfall), with ambient identity allowed exactly where a target relies on it.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { yamlBlocks as pageBlocks } from '../../../support/connector-docs.ts';
import { gcpCertificateManagerConnector } from '../../../../src/connectors/gcp-certificate-manager/index.ts';
import { connectorBlocks } from '../../../../src/connectors/registry.ts';
import { grantShortfall } from '../../../../src/controller/grant-shortfall.ts';
import { specSchema } from '../../../../src/crds/spec.ts';
import type { Policy } from '../../../../packages/connector-sdk/src/sandbox/grant.ts';

const page = join(import.meta.dirname, '..', '..', '..', '..', 'docs', 'connectors', 'gcp-certificate-manager.md');

describe('docs/connectors/gcp-certificate-manager.md', () => {
  it('every CertificateDeployment is valid and the policy after it allows its targets', async () => {
    const blocks = await pageBlocks(page);
    const deployments = blocks.map((b, i) => [b, i] as const).filter(([b]) => b.kind === 'CertificateDeployment');
    expect(deployments.length).toBe(2);
    for (const [cd, i] of deployments) {
      const policy = (blocks.slice(i + 1).find((b) => b.policy !== undefined) as { policy: Policy } | undefined)?.policy;
      expect(policy, 'a policy example after the manifest').toBeDefined();
      const spec = specSchema(connectorBlocks()).parse(cd.spec);
      for (const target of spec.targets) {
        const config = gcpCertificateManagerConnector.configSchema.parse((target as { gcpCertificateManager?: unknown }).gcpCertificateManager);
        const grant = gcpCertificateManagerConnector.create(config).capabilities();
        expect(grantShortfall(grant, policy as Policy), `target ${target.name}`).toEqual([]);
        expect(policy?.ambientCloudIdentity, `ambient identity for ${target.name}`).toBe(config.credentialsRef === undefined);
      }
    }
  });
});

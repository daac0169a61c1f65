/**
 * docs/connectors/file.md must stay a working page: its CertificateDeployment validates against
 * the same zod spec the CRD is generated from, and its policy example allows exactly what the
 * manifest's targets declare (no GrantDenied), checked with the controller's own shortfall.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { yamlBlocks as pageBlocks } from '../../support/connector-docs.ts';
import { fileConnector } from '../../../src/connectors/file/index.ts';
import { connectorBlocks } from '../../../src/connectors/registry.ts';
import { grantShortfall } from '../../../src/controller/grant-shortfall.ts';
import { specSchema } from '../../../src/crds/spec.ts';
import type { Policy } from '../../../src/sandbox/grant.ts';

const page = join(import.meta.dirname, '..', '..', '..', 'docs', 'connectors', 'file.md');


describe('docs/connectors/file.md', () => {
  it('its CertificateDeployment is valid, and the policy example allows every target it declares', async () => {
    const blocks = await pageBlocks(page);
    const cd = blocks.find((b) => (b as { kind?: string }).kind === 'CertificateDeployment') as { spec: unknown } | undefined;
    const policy = (blocks.find((b) => (b as { policy?: unknown }).policy !== undefined) as { policy: Policy } | undefined)?.policy;
    expect(cd, 'no CertificateDeployment on the page').toBeDefined();
    expect(policy, 'no policy example on the page').toBeDefined();
    const spec = specSchema(connectorBlocks()).parse(cd?.spec);
    expect(spec.targets.length).toBeGreaterThan(1);
    for (const target of spec.targets) {
      const block = fileConnector.configSchema.parse((target as { file?: unknown }).file);
      const grant = fileConnector.create(block).capabilities();
      expect(grantShortfall(grant, policy as Policy), `target ${target.name}`).toEqual([]);
      const endpoints = target.verify?.endpoints.map((e) => e.address) ?? [];
      for (const address of endpoints) expect(policy?.hosts, `verify endpoint of ${target.name}`).toContain(address);
    }
  });
});

/**
 * docs/connectors/f5-big-ip.md must stay a working page: its CertificateDeployment validates
 * against the spec the CRD is generated from, its policy allows the grant the target declares
 * and its verify endpoints, and it says plainly that the connector was verified against a fake.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { f5BigIpConnector } from '../../../../src/connectors/f5-big-ip/index.ts';
import { connectorBlocks } from '../../../../src/connectors/registry.ts';
import { grantShortfall } from '../../../../src/controller/grant-shortfall.ts';
import { specSchema } from '../../../../src/crds/spec.ts';
import type { Policy } from '../../../../packages/connector-sdk/src/sandbox/grant.ts';

const page = join(import.meta.dirname, '..', '..', '..', '..', 'docs', 'connectors', 'f5-big-ip.md');

describe('docs/connectors/f5-big-ip.md', () => {
  it('its CertificateDeployment is valid and the policy example allows the target and its verify endpoints', async () => {
    const text = await readFile(page, 'utf8');
    const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].flatMap((m) => parseAllDocuments(m[1] as string).map((d) => d.toJS() as unknown));
    const cd = blocks.find((b) => (b as { kind?: string }).kind === 'CertificateDeployment') as { spec: unknown } | undefined;
    const policy = (blocks.find((b) => (b as { policy?: unknown }).policy !== undefined) as { policy: Policy } | undefined)?.policy;
    expect(cd, 'no CertificateDeployment on the page').toBeDefined();
    expect(policy, 'no policy example on the page').toBeDefined();
    const spec = specSchema(connectorBlocks()).parse(cd?.spec);
    for (const target of spec.targets) {
      const block = f5BigIpConnector.configSchema.parse((target as { f5BigIp?: unknown }).f5BigIp);
      expect(grantShortfall(f5BigIpConnector.create(block).capabilities(), policy as Policy), `target ${target.name}`).toEqual([]);
      for (const e of target.verify?.endpoints ?? []) expect(policy?.hosts).toContain(e.address);
    }
  });

  it('says it was verified only against a fake of the documented API, and documents every field', async () => {
    const text = await readFile(page, 'utf8');
    expect(text).toMatch(/verified: only against a fake/);
    expect(text).toMatch(/\*\*not against a BIG-IP\*\*/);
    const fields = Object.keys(f5BigIpConnector.configSchema.parse({ address: 'a:1', clientSslProfile: 'p', credentialsRef: { name: 's' }, caBundle: '-----BEGIN CERTIFICATE-----', certKeyChainName: 'e' }));
    for (const f of fields) expect(text, `field ${f}`).toMatch(new RegExp(`\\| \`${f}(\\.name)?\` \\|`));
  });
});

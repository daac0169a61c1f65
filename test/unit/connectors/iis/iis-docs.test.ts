/**
 * docs/connectors/iis.md must stay a working page: its CertificateDeployment validates against
 * the spec the CRD is generated from, its policy allows what the target declares (and the
 * verify endpoints), and the body lines it documents are exactly the generator's and exactly
 * the WinRM fake's vocabulary, so the page, the code and the test double cannot drift apart.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { iisConnector } from '../../../../src/connectors/iis/index.ts';
import { BODY } from '../../../../src/connectors/iis/scripts.ts';
import { connectorBlocks } from '../../../../src/connectors/registry.ts';
import { grantShortfall } from '../../../../src/controller/grant-shortfall.ts';
import { specSchema } from '../../../../src/crds/spec.ts';
import type { Policy } from '../../../../packages/connector-sdk/src/sandbox/grant.ts';
import { VOCABULARY } from '../../../support/winrm-fake/index.ts';

const page = join(import.meta.dirname, '..', '..', '..', '..', 'docs', 'connectors', 'iis.md');
const blocks = async (lang: string): Promise<string[]> => [...(await readFile(page, 'utf8')).matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1] as string);

describe('docs/connectors/iis.md', () => {
  it('its CertificateDeployment is valid and its policy allows the grant and the verify endpoints', async () => {
    const docs = (await blocks('yaml')).flatMap((b) => parseAllDocuments(b).map((d) => d.toJS() as unknown));
    const cd = docs.find((b) => (b as { kind?: string }).kind === 'CertificateDeployment') as { spec: unknown } | undefined;
    const policy = (docs.find((b) => (b as { policy?: unknown }).policy !== undefined) as { policy: Policy } | undefined)?.policy;
    expect(cd).toBeDefined();
    expect(policy).toBeDefined();
    const spec = specSchema(connectorBlocks()).parse(cd?.spec);
    for (const target of spec.targets) {
      const block = iisConnector.configSchema.parse((target as { iis?: unknown }).iis);
      expect(grantShortfall(iisConnector.create(block).capabilities(), policy as Policy)).toEqual([]);
      for (const e of target.verify?.endpoints ?? []) expect(policy?.hosts).toContain(e.address);
    }
  });

  it('documents exactly the body lines the generator emits and the fake understands', async () => {
    const documented = (await blocks('powershell')).at(-1)?.trim().split('\n') ?? [];
    expect(documented).toEqual(Object.values(BODY));
    expect([...VOCABULARY.keys()].sort()).toEqual([...Object.values(BODY)].sort());
  });

  it('says plainly that it is untested against a real IIS', async () => {
    expect(await readFile(page, 'utf8')).toMatch(/Untested against a real IIS or WinRM[\s\S]*verified only against a fake of\s+> the documented protocol/);
  });
});

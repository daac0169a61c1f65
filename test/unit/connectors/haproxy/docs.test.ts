/**
 * docs/connectors/haproxy.md must stay a working page: its CertificateDeployment validates
 * against the zod spec the CRD is generated from, covers both loading modes, and its policy
 * example allows exactly what each target declares (no GrantDenied) plus the SSH address and the verify endpoints,
 * checked with the controller's own shortfall.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { yamlBlocks as pageBlocks } from '../../../support/connector-docs.ts';
import { haproxyConnector } from '../../../../src/connectors/haproxy/index.ts';
import { connectorBlocks } from '../../../../src/connectors/registry.ts';
import { grantShortfall } from '../../../../src/controller/grant-shortfall.ts';
import { specSchema } from '../../../../src/crds/spec.ts';
import type { Policy } from '../../../../packages/connector-sdk/src/sandbox/grant.ts';

const page = join(import.meta.dirname, '..', '..', '..', '..', 'docs', 'connectors', 'haproxy.md');


describe('docs/connectors/haproxy.md', () => {
  it('its CertificateDeployment is valid, uses both modes, and the policy example allows every target', async () => {
    const blocks = await pageBlocks(page);
    const cd = blocks.find((b) => (b as { kind?: string }).kind === 'CertificateDeployment') as { spec: unknown } | undefined;
    const policy = (blocks.find((b) => (b as { policy?: unknown }).policy !== undefined) as { policy: Policy } | undefined)?.policy;
    expect(cd, 'no CertificateDeployment on the page').toBeDefined();
    expect(policy, 'no policy example on the page').toBeDefined();
    const spec = specSchema(connectorBlocks()).parse(cd?.spec);
    const modes = new Set<string>();
    for (const target of spec.targets) {
      const block = haproxyConnector.configSchema.parse((target as { haproxy?: unknown }).haproxy);
      modes.add(block.runtimeApi ? 'runtimeApi' : 'reload');
      expect(grantShortfall(haproxyConnector.create(block).capabilities(), policy as Policy), `target ${target.name}`).toEqual([]);
      for (const e of target.verify?.endpoints ?? []) expect(policy?.hosts, `verify endpoint of ${target.name}`).toContain(e.address);
      if (block.host.ssh) expect(policy?.hosts, `SSH address of ${target.name}`).toContain(block.host.ssh.address);
    }
    expect([...modes].sort()).toEqual(['reload', 'runtimeApi']);
  });

  it('documents every field of the block', async () => {
    const text = await readFile(page, 'utf8');
    const fields = ['certificatePath', 'owner', 'group', 'mode', 'includeRoot', 'runtimeApi.socketPath', 'runtimeApi.timeoutSeconds', 'reload.configTest', 'reload.reload', 'reload.timeoutSeconds'];
    for (const f of fields) expect(text, f).toContain(`| \`${f}\` |`);
    const shape = haproxyConnector.configSchema.parse({ certificatePath: '/x.pem', runtimeApi: {} });
    for (const key of Object.keys(shape)) expect(fields.some((f) => f === key || f.startsWith(`${key}.`)) || key === 'host', key).toBe(true);
  });
});

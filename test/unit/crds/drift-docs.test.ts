/** docs/drift.md stays a working page: its manifest validates against the spec schema the CRD is generated from. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectorBlocks } from '../../../src/connectors/registry.ts';
import { specSchema } from '../../../src/crds/spec.ts';
import { yamlBlocks } from '../../support/connector-docs.ts';

describe('docs/drift.md', () => {
  it('its CertificateDeployment is valid and sets the drift fields', async () => {
    const blocks = await yamlBlocks(join(import.meta.dirname, '..', '..', '..', 'docs', 'drift.md'));
    const cd = blocks.find((b) => b.kind === 'CertificateDeployment') as { spec: unknown };
    const spec = specSchema(connectorBlocks()).parse(cd.spec);
    expect(spec.verify?.interval).toBe('10m');
    expect(spec.driftPolicy).toBe('Repair');
  });

  it('the schema refuses intervals outside 10s..168h (0s turns checks off)', () => {
    const schema = specSchema(connectorBlocks());
    const base = { secretRef: { name: 's' }, targets: [{ name: 't', file: { certificatePath: '/a/t.crt', privateKeyPath: '/a/t.key' } }] };
    for (const ok of ['0s', '10s', '1h', '1h30m', '168h']) expect(schema.safeParse({ ...base, verify: { interval: ok } }).success, ok).toBe(true);
    for (const bad of ['5s', '169h', '1d', '', '1.5h', 'h']) expect(schema.safeParse({ ...base, verify: { interval: bad } }).success, bad).toBe(false);
    expect(schema.parse({ ...base, verify: {} }).verify?.interval).toBe('1h');
    expect(schema.parse(base).driftPolicy).toBe('Report');
  });
});

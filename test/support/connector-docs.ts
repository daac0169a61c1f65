/**
 * A connector's docs page must stay a working page: its CertificateDeployment validates against
 * the same zod spec the CRD is generated from, every target of it builds a connector, and the
 * page's policy example allows exactly what those targets declare (no GrantDenied) plus their
 * verify endpoints — checked with the controller's own shortfall function.
 */
import { readFile } from 'node:fs/promises';
import { expect } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { connectorBlocks } from '../../src/connectors/registry.ts';
import type { ConnectorDefinition } from '../../packages/connector-sdk/src/connector.ts';
import { grantShortfall } from '../../src/controller/grant-shortfall.ts';
import { specSchema } from '../../src/crds/spec.ts';
import type { Policy } from '../../packages/connector-sdk/src/sandbox/grant.ts';

/** The YAML code blocks of a page, each parsed (multi-document aware). */
export async function yamlBlocks(page: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(page, 'utf8');
  return [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].flatMap((m) => parseAllDocuments(m[1] as string).map((d) => d.toJS() as Record<string, unknown>));
}

/** Asserts the page's manifest and policy; returns the validated targets' blocks. */
export async function checkConnectorPage(page: string, definition: ConnectorDefinition<unknown>): Promise<unknown[]> {
  const blocks = await yamlBlocks(page);
  const cd = blocks.find((b) => (b as { kind?: string }).kind === 'CertificateDeployment') as { spec: unknown } | undefined;
  const policy = (blocks.find((b) => (b as { policy?: unknown }).policy !== undefined) as { policy: Policy } | undefined)?.policy;
  expect(cd, 'no CertificateDeployment on the page').toBeDefined();
  expect(policy, 'no policy example on the page').toBeDefined();
  const spec = specSchema(connectorBlocks()).parse(cd?.spec);
  const out: unknown[] = [];
  for (const target of spec.targets) {
    const block = definition.configSchema.parse((target as Record<string, unknown>)[definition.name]);
    out.push(block);
    expect(grantShortfall(definition.create(block).capabilities(), policy as Policy), `target ${target.name}`).toEqual([]);
    for (const e of target.verify?.endpoints ?? []) expect(policy?.hosts, `verify endpoint of ${target.name}`).toContain(e.address);
  }
  return out;
}

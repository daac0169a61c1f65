import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectorBlocks } from '../../../src/connectors/registry.ts';
import { buildCrd } from '../../../src/crds/crd.ts';
import { CRD_NAME } from '../../../src/crds/names.ts';
import { CRD_OUTPUTS } from '../../../src/crds/outputs.ts';
import { structuralProblems, toStructuralSchema, type JsonSchema } from '../../../src/crds/openapi.ts';
import { renderCrdYaml } from '../../../src/crds/render.ts';
import { specSchema } from '../../../src/crds/spec.ts';

const root = join(import.meta.dirname, '..', '..', '..');

describe('generated CRD', () => {
  it.each(CRD_OUTPUTS)('matches the checked-in %s (run `npm run gen:crds` when this fails)', async (out) => {
    const onDisk = await readFile(join(root, out), 'utf8');
    expect(onDisk === renderCrdYaml(connectorBlocks()), `${out} is stale: run npm run gen:crds`).toBe(true);
  });

  it('writes both the install manifest and the Helm chart copy', () => {
    expect(CRD_OUTPUTS).toEqual([`deploy/crds/${CRD_NAME}.yaml`, `charts/cert-deployer/crds-src/${CRD_NAME}.yaml`]);
  });

  it('is structural: no $ref, const, type arrays or unions anywhere', () => {
    const crd = buildCrd(connectorBlocks()) as { spec: { versions: { schema: { openAPIV3Schema: JsonSchema } }[] } };
    const schema = crd.spec.versions[0]!.schema.openAPIV3Schema;
    expect(structuralProblems(schema)).toEqual([]);
    expect(JSON.stringify(schema)).not.toMatch(/"\$ref"|"const"|"anyOf"|"oneOf"/);
  });

  it('documents every spec and status field for kubectl explain', () => {
    const crd = buildCrd(connectorBlocks()) as { spec: { versions: { schema: { openAPIV3Schema: JsonSchema } }[] } };
    const missing: string[] = [];
    const walk = (s: JsonSchema, path: string) => {
      for (const [k, v] of Object.entries((s.properties as Record<string, JsonSchema>) ?? {})) {
        if (path !== '' && !v.description) missing.push(`${path}.${k}`);
        walk(v, `${path}.${k}`);
      }
      if (s.items) walk(s.items as JsonSchema, `${path}[]`);
    };
    const top = crd.spec.versions[0]!.schema.openAPIV3Schema;
    walk((top.properties as Record<string, JsonSchema>).spec!, 'spec');
    walk((top.properties as Record<string, JsonSchema>).status!, 'status');
    expect(missing).toEqual([]);
  });

  it('attaches the exactly-one-connector CEL rule to each target', () => {
    const spec = toStructuralSchema(specSchema({ a: z.object({ x: z.string() }), b: z.object({ y: z.string() }) }));
    const items = ((spec.properties as Record<string, JsonSchema>).targets!.items as JsonSchema);
    expect(items['x-kubernetes-validations']).toEqual([
      { rule: '[has(self.a), has(self.b), has(self.plugin)].exists_one(x, x)', message: 'exactly one connector block must be set: one of a, b, plugin' },
    ]);
  });

  it('refuses a schema that cannot be structural', () => {
    expect(() => toStructuralSchema(z.object({ u: z.union([z.string(), z.object({ a: z.string() })]) }))).toThrow(/not structural/);
  });

  it('validates the same rules in zod as in CEL', () => {
    const s = specSchema(connectorBlocks());
    const file = { certificatePath: '/a/c.pem', privateKeyPath: '/a/k.pem' };
    expect(s.safeParse({ secretRef: { name: 'x' }, targets: [{ name: 'a', file }] }).success).toBe(true);
    expect(s.safeParse({ secretRef: { name: 'x' }, targets: [{ name: 'a' }] }).success).toBe(false);
    expect(s.safeParse({ secretRef: { name: 'x' }, targets: [{ name: 'a', file }, { name: 'a', file }] }).success).toBe(false);
    const bad = { secretRef: { name: 'x' }, targets: [{ name: 'a', file, verify: { endpoints: [{ address: 'h:70000' }] } }] };
    expect(s.safeParse(bad).success).toBe(false);
  });
});

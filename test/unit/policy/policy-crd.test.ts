import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { POLICY_CRD_NAME } from '../../../src/crds/names.ts';
import { structuralProblems, type JsonSchema } from '../../../src/crds/openapi.ts';
import { buildPolicyCrd } from '../../../src/crds/policy-crd.ts';
import { policySpec } from '../../../src/crds/policy-spec.ts';
import { renderPolicyCrdYaml } from '../../../src/crds/render.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const schema = () => (buildPolicyCrd() as { spec: { versions: { schema: { openAPIV3Schema: JsonSchema } }[] } }).spec.versions[0]!.schema.openAPIV3Schema;

describe('DeploymentPolicy CRD', () => {
  it('matches deploy/crds and the chart copy (run `npm run gen:crds` when this fails)', async () => {
    for (const dir of [['deploy', 'crds'], ['charts', 'cert-deployer', 'crds-src']]) {
      expect(await readFile(join(root, ...dir, `${POLICY_CRD_NAME}.yaml`), 'utf8')).toBe(renderPolicyCrdYaml());
    }
  });

  it('is cluster-scoped and structural', () => {
    expect((buildPolicyCrd() as { spec: { scope: string } }).spec.scope).toBe('Cluster');
    expect(structuralProblems(schema())).toEqual([]);
  });

  it('documents every field for kubectl explain', () => {
    const missing: string[] = [];
    const walk = (s: JsonSchema, path: string) => {
      for (const [k, v] of Object.entries((s.properties as Record<string, JsonSchema>) ?? {})) {
        if (path.startsWith('.spec') || k === 'spec') if (!v.description && !path.includes('[]')) missing.push(`${path}.${k}`);
        walk(v, `${path}.${k}`);
      }
      if (s.items) walk(s.items as JsonSchema, `${path}[]`);
    };
    walk(schema(), '');
    expect(missing).toEqual([]);
  });

  const bad: [string, unknown][] = [
    ['relative program', { namespaces: ['a'], hosts: [{ local: {}, commands: [['sh', '-c', 'x']] }] }],
    ['program /', { namespaces: ['a'], hosts: [{ local: {}, commands: [['/']] }] }],
    ['dot-dot path root', { namespaces: ['a'], hosts: [{ local: {}, pathRoots: ['/etc/../root'] }] }],
    ['trailing slash path root', { namespaces: ['a'], hosts: [{ local: {}, pathRoots: ['/etc/'] }] }],
    ['double slash path root', { namespaces: ['a'], hosts: [{ local: {}, pathRoots: ['/etc//x'] }] }],
    ['relative path root', { namespaces: ['a'], hosts: [{ local: {}, pathRoots: ['etc'] }] }],
    ['both ssh and local', { namespaces: ['a'], hosts: [{ local: {}, ssh: { address: 'h:22', hostKeys: ['ssh-ed25519 AAAA'] } }] }],
    ['ssh without host keys', { namespaces: ['a'], hosts: [{ ssh: { address: 'h:22', hostKeys: [] } }] }],
    ['no namespaces and no selector', { hosts: [] }],
    ['port out of range', { namespaces: ['a'], dial: ['h:70000'] }],
  ];
  it.each(bad)('zod refuses %s (CEL refuses it at admission: test/integration/policy)', (_n, spec) => {
    expect(policySpec.safeParse(spec).success).toBe(false);
  });

  it('accepts the broad-but-explicit forms: pathRoots ["/"], an empty selector, unrestricted', () => {
    expect(policySpec.safeParse({ namespaceSelector: {}, hosts: [{ local: {}, pathRoots: ['/'] }] }).success).toBe(true);
    expect(policySpec.safeParse({ namespaces: ['a'], unrestricted: true }).success).toBe(true);
  });
});

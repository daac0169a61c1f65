/**
 * spec.rollout in zod: defaults, and the cross-field rules the CRD also carries in CEL (the
 * API server side is test/integration/controller/rollout.test.ts): names exist, a target is in
 * at most one wave, waves and canary are exclusive, the pause is bounded.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { yamlBlocks } from '../../support/connector-docs.ts';
import { connectorBlocks } from '../../../src/connectors/registry.ts';
import { buildWaves } from '../../../src/controller/rollout/waves.ts';
import { MAX_ROLLOUT_NAMES } from '../../../src/crds/rollout.ts';
import { MAX_TARGETS, specSchema } from '../../../src/crds/spec.ts';

const schema = specSchema(connectorBlocks());
const targets = ['a', 'b', 'c'].map((name) => ({ name, file: { certificatePath: `/x/${name}.crt`, privateKeyPath: `/x/${name}.key` } }));
const parse = (rollout: unknown) => schema.safeParse({ secretRef: { name: 's' }, targets, rollout });
const messages = (rollout: unknown) => {
  const r = parse(rollout);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('spec.rollout schema', () => {
  it('defaults: no pause, halt on failure', () => {
    const r = parse({ waves: [{ targets: ['a'] }] });
    expect(r.success && r.data.rollout).toEqual({ waves: [{ targets: ['a'] }], pauseAfterWave: '0s', haltOnFailure: true });
  });
  it('accepts canary + maxConcurrent, and waves that leave targets for a last wave', () => {
    expect(messages({ canary: ['b'], maxConcurrent: 1, pauseAfterWave: '1h30m' })).toEqual([]);
    expect(messages({ waves: [{ targets: ['c'] }, { targets: ['a'] }] })).toEqual([]);
  });
  it.each([
    ['a name that is no target', { waves: [{ targets: ['a', 'zz'] }] }, /every name in spec.rollout must be the name of a target in spec.targets \(unknown: zz\)/],
    ['a canary that is no target', { canary: ['zz'] }, /unknown: zz/],
    ['a target in two waves', { waves: [{ targets: ['a'] }, { targets: ['b', 'a'] }] }, /rollout.waves: a target may be in at most one wave of spec.rollout.waves \(listed again: a\)/],
    ['waves and canary together', { waves: [{ targets: ['a'] }], canary: ['b'] }, /set either waves or canary, not both/],
    ['a pause over 24h', { maxConcurrent: 1, pauseAfterWave: '25h' }, /pauseAfterWave must be a duration/],
    ['a pause that is no duration', { maxConcurrent: 1, pauseAfterWave: '5 minutes' }, /rollout.pauseAfterWave/],
    ['maxConcurrent 0', { maxConcurrent: 0 }, /rollout.maxConcurrent/],
    ['an empty wave', { waves: [{ targets: [] }] }, /rollout.waves.0.targets/],
  ])('refuses %s', (_n, rollout, want) => {
    expect(messages(rollout).join('\n')).toMatch(want);
  });
  it('the docs/rollout.md manifest validates, and its rollout builds the waves the page describes', async () => {
    const doc = (await yamlBlocks(join(import.meta.dirname, '..', '..', '..', 'docs', 'rollout.md'))).find((b) => b.kind === 'CertificateDeployment') as { spec: unknown };
    const spec = schema.parse(doc.spec);
    expect(buildWaves(spec.rollout!, spec.targets.map((t) => t.name))).toEqual([['edge-1'], ['edge-2', 'edge-3'], ['edge-4', 'edge-5'], ['edge-6']]);
  });
  it('list bounds follow spec.targets', () => {
    expect(MAX_ROLLOUT_NAMES).toBe(MAX_TARGETS);
  });
});

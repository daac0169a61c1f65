import { describe, expect, it } from 'vitest';
import { selectorMatches } from '../../../src/controller/policy/select-namespace.ts';
import type { LabelSelector } from '../../../src/crds/policy-spec.ts';

describe('selectorMatches: metav1.LabelSelector semantics', () => {
  const cases: [string, LabelSelector, Record<string, string>, boolean][] = [
    ['empty selector matches everything', {}, {}, true],
    ['matchLabels equal', { matchLabels: { team: 'a' } }, { team: 'a', x: 'y' }, true],
    ['matchLabels differ', { matchLabels: { team: 'a' } }, { team: 'b' }, false],
    ['matchLabels missing', { matchLabels: { team: 'a' } }, {}, false],
    ['In', { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'stage'] }] }, { env: 'stage' }, true],
    ['In, absent key', { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] }, {}, false],
    ['NotIn, absent key matches', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, {}, true],
    ['NotIn, listed value', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, { env: 'prod' }, false],
    ['Exists', { matchExpressions: [{ key: 'env', operator: 'Exists' }] }, { env: '' }, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, { env: 'x' }, false],
    ['labels AND expressions', { matchLabels: { team: 'a' }, matchExpressions: [{ key: 'env', operator: 'Exists' }] }, { team: 'a' }, false],
  ];
  it.each(cases)('%s', (_n, selector, labels, want) => expect(selectorMatches(selector, labels)).toBe(want));
});

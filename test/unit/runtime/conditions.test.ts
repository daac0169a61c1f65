import { describe, expect, it } from 'vitest';
import {
  MAX_CONDITION_MESSAGE, formatConditionTime, getCondition, isFalse, isTrue, removeCondition, setCondition, type Condition,
} from '../../../src/core/conditions.ts';

const T1 = Date.UTC(2026, 0, 1, 10, 0, 0, 123);
const T2 = Date.UTC(2026, 0, 1, 11, 0, 0);

describe('setCondition', () => {
  it('adds a new condition stamped with a second-precision transition time', () => {
    const { conditions, changed } = setCondition([], { type: 'Ready', status: 'False', reason: 'Progressing', message: 'deploying', observedGeneration: 2 }, T1);
    expect(changed).toBe(true);
    expect(conditions).toEqual([{ type: 'Ready', status: 'False', observedGeneration: 2, lastTransitionTime: '2026-01-01T10:00:00Z', reason: 'Progressing', message: 'deploying' }]);
  });

  it('keeps lastTransitionTime when only reason/message/generation change', () => {
    const first = setCondition(undefined, { type: 'Ready', status: 'False', reason: 'Progressing', message: 'a' }, T1).conditions;
    const { conditions, changed } = setCondition(first, { type: 'Ready', status: 'False', reason: 'TargetUnreachable', message: 'b', observedGeneration: 3 }, T2);
    expect(changed).toBe(true);
    expect(conditions[0]).toMatchObject({ reason: 'TargetUnreachable', message: 'b', observedGeneration: 3, lastTransitionTime: formatConditionTime(T1) });
  });

  it('moves lastTransitionTime when the status changes', () => {
    const first = setCondition(undefined, { type: 'Ready', status: 'False', reason: 'Progressing', message: '' }, T1).conditions;
    const { conditions } = setCondition(first, { type: 'Ready', status: 'True', reason: 'Deployed', message: '' }, T2);
    expect(conditions[0]!.lastTransitionTime).toBe('2026-01-01T11:00:00Z');
  });

  it('reports no change for an identical condition and does not modify its input', () => {
    const first = setCondition(undefined, { type: 'Ready', status: 'True', reason: 'Deployed', message: 'ok', observedGeneration: 1 }, T1).conditions;
    const frozen: readonly Condition[] = Object.freeze(first.map((c) => Object.freeze({ ...c })));
    const { conditions, changed } = setCondition(frozen, { type: 'Ready', status: 'True', reason: 'Deployed', message: 'ok', observedGeneration: 1 }, T2);
    expect(changed).toBe(false);
    expect(conditions).toEqual(first);
  });

  it('updates only the condition of the same type, preserving order', () => {
    let list = setCondition(undefined, { type: 'Deployed', status: 'True', reason: 'Deployed', message: '' }, T1).conditions;
    list = setCondition(list, { type: 'Ready', status: 'True', reason: 'Deployed', message: '' }, T1).conditions;
    list = setCondition(list, { type: 'Deployed', status: 'False', reason: 'DeployFailed', message: 'x' }, T2).conditions;
    expect(list.map((c) => `${c.type}=${c.status}`)).toEqual(['Deployed=False', 'Ready=True']);
  });

  it('truncates overlong messages instead of producing a status the API server rejects', () => {
    const { conditions } = setCondition(undefined, { type: 'Ready', status: 'False', reason: 'DeployFailed', message: 'x'.repeat(MAX_CONDITION_MESSAGE + 10) }, T1);
    expect(conditions[0]!.message.length).toBe(MAX_CONDITION_MESSAGE);
    expect(conditions[0]!.message.endsWith('(truncated)')).toBe(true);
  });

  it.each([
    [{ type: 'not valid!', status: 'True', reason: 'Ok', message: '' }, /condition type/],
    [{ type: 'Ready', status: 'Yes', reason: 'Ok', message: '' }, /True, False or Unknown/],
    [{ type: 'Ready', status: 'True', reason: 'has space', message: '' }, /reason "has space"/],
    [{ type: 'Ready', status: 'True', reason: '', message: '' }, /reason ""/],
    [{ type: 'Ready', status: 'True', reason: 'Ok', message: '', observedGeneration: -1 }, /observedGeneration/],
  ] as const)('rejects invalid input %# with a specific TypeError', (input, re) => {
    expect(() => setCondition([], input as never, T1)).toThrow(re);
  });

  it('accepts domain-prefixed types', () => {
    expect(setCondition([], { type: 'certdeployer.io/Verified', status: 'Unknown', reason: 'Pending', message: '' }, T1).changed).toBe(true);
  });
});

describe('getCondition / isTrue / isFalse / removeCondition', () => {
  const list = [
    ...setCondition(undefined, { type: 'Ready', status: 'True', reason: 'Deployed', message: '', observedGeneration: 4 }, T1).conditions,
    ...setCondition(undefined, { type: 'Degraded', status: 'False', reason: 'AllTargetsHealthy', message: '' }, T1).conditions,
  ];

  it('reads by type; absent means neither true nor false', () => {
    expect(getCondition(list, 'Ready')?.reason).toBe('Deployed');
    expect(isTrue(list, 'Ready')).toBe(true);
    expect(isFalse(list, 'Degraded')).toBe(true);
    expect(isTrue(list, 'Verified')).toBe(false);
    expect(isFalse(list, 'Verified')).toBe(false);
    expect(isTrue(undefined, 'Ready')).toBe(false);
  });

  it('does not count a True observed for an older generation', () => {
    expect(isTrue(list, 'Ready', 4)).toBe(true);
    expect(isTrue(list, 'Ready', 5)).toBe(false);
    expect(isFalse(list, 'Degraded', 1)).toBe(false); // no observedGeneration recorded
  });

  it('removes by type and says whether anything was removed', () => {
    expect(removeCondition(list, 'Degraded')).toEqual({ conditions: [list[0]], changed: true });
    expect(removeCondition(list, 'Nope').changed).toBe(false);
  });
});

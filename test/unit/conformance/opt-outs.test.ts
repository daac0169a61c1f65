/** Opt-outs must name a known case or test and give a reason; runConformance refuses otherwise. */
import { describe, expect, it } from 'vitest';
import { ConformanceOptOutError, dispositionOf, validateOptOuts } from '../../../packages/connector-sdk/src/conformance/opt-outs.ts';
import { runConformance, localFileFixture } from '@cert-deployer/connector-sdk/conformance';
import type { OptOuts } from '../../../packages/connector-sdk/src/conformance/types.ts';
import { exampleFor } from '../connectors/example/factories.ts';

describe('validateOptOuts', () => {
  it('accepts case names and test ids with reasons', () => {
    expect(() => validateOptOuts({ skip: { rollback: 'no reload step', 'inputs.rsa': 'target refuses RSA' } })).not.toThrow();
    expect(() => validateOptOuts({ knownFailures: { 'errorClassification.unreachable': 'tracked bug' } })).not.toThrow();
  });

  it.each([
    ['an empty reason', { rollback: '' }],
    ['a blank reason', { rollback: '   \n' }],
    ['a non-string reason', { rollback: true }],
    ['an unknown case', { rolback: 'typo' }],
    ['an unknown test', { 'inputs.dsa': 'never a case' }],
  ])('refuses %s', (_what, skip) => {
    expect(() => validateOptOuts({ skip: skip as unknown as OptOuts })).toThrow(ConformanceOptOutError);
  });

  it('refuses a known failure without a reason, or one naming a whole case', () => {
    expect(() => validateOptOuts({ knownFailures: { 'rollback.reloadFailure': '' } })).toThrow(/non-empty reason/);
    expect(() => validateOptOuts({ knownFailures: { rollback: 'x' } as never })).toThrow(/unknown case or test "rollback"/);
  });

  it('runConformance throws before registering anything when an opt-out has no reason', () => {
    const fixture = { ...localFileFixture(), skip: { rollback: '' } };
    expect(() => runConformance(exampleFor, fixture)).toThrow(/rollback: an opt-out needs a non-empty reason/);
  });
});

describe('dispositionOf', () => {
  it('skips every test of an opted-out case, with the reason', () => {
    const f = { skip: { cancellation: 'no abortable step' } };
    expect(dispositionOf(f, 'cancellation.preAborted')).toEqual({ kind: 'skip', reason: 'no abortable step' });
    expect(dispositionOf(f, 'cancellation.duringReload')).toEqual({ kind: 'skip', reason: 'no abortable step' });
    expect(dispositionOf(f, 'rollback.reloadFailure')).toEqual({ kind: 'run' });
  });

  it('a test-level entry wins over the case; a known failure runs as expected-to-fail', () => {
    const f = { skip: { inputs: 'case reason', 'inputs.rsa': 'test reason' }, knownFailures: { 'rollback.reloadFailure': 'bug 12' } };
    expect(dispositionOf(f, 'inputs.rsa')).toEqual({ kind: 'skip', reason: 'test reason' });
    expect(dispositionOf(f, 'inputs.ed25519')).toEqual({ kind: 'skip', reason: 'case reason' });
    expect(dispositionOf(f, 'rollback.reloadFailure')).toEqual({ kind: 'fails', reason: 'bug 12' });
  });
});

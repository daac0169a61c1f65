/**
 * Tests of the conformance suite itself: a suite that passes everything proves nothing. Each
 * mutant connector has one flaw and must be rejected by the case written for it, while the
 * same connector without the flaw passes that case. Runs the real cases on real temp dirs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFORMANCE_GROUPS, localFileFixture } from '@cert-deployer/connector-sdk/conformance';
import type { TestId } from '../../../packages/connector-sdk/src/conformance/types.ts';
import { FLAWS, naiveConnector, type Flaw } from './mutants.ts';

const fixture = localFileFixture();
const byId = new Map(CONFORMANCE_GROUPS.flatMap((g) => g.tests).map((t) => [t.id, t]));

/** Which case must catch which flaw, and what its failure must say (so it fails for that reason). */
const CAUGHT_BY: Readonly<Record<Flaw, readonly [TestId, RegExp]>> = {
  overDeclares: ['grantHonesty.eachItem', /without write \S+unused\.pem: deploy succeeded/],
  swallowsDenial: ['grantHonesty.eachItem', /without write \S+cert\.pem: deploy succeeded \(changed: false\)/],
  alwaysWrites: ['idempotentReplay.noop', /expected true to be false/],
  noRollback: ['rollback.reloadFailure', /after the failed deploy of B: the target holds/],
  noRestoreOnThrow: ['cancellation.duringReload', /after the replay: the server serves/],
  quotesServerOutputRaw: ['keyHygiene.noKeyInOutput', /to deeply equal \[\]/],
  ignoresSignal: ['cancellation.preAborted', /deploy with an aborted signal must reject/],
  plainErrors: ['errorClassification.reloadFailure', /"certDeployerError":false/],
  shellReload: ['deploymentShape.capabilities', /runs a shell on a command string/],
  extraResultKey: ['deploymentShape.result', /unexpected key \\"files\\"/],
  leafOnly: ['inputs.longChain', /a long chain.*the target holds the chain/],
  groupWritableKey: ['keyHygiene.keyFileMode', /key file mode is 0660/],
  retryableReloadFailure: ['errorClassification.reloadFailure', /"retryable":true/],
  inspectWrites: ['inspect.readOnly', /mutating operations attempted by inspect: expected 1 to be \+0/],
  inspectTrustsExpected: ['inspect.readOnly', /inspect after B replaced A/],
};

function run(id: TestId, flaw?: Flaw): Promise<void> {
  const test = byId.get(id);
  if (test === undefined) throw new Error(`no conformance test ${id}`);
  return test.run({ factory: (ctx) => naiveConnector(ctx, flaw), fixture });
}

/** The assertion message plus the value it rejected, where a case's diff lives. */
function failureText(err: unknown): string {
  const e = err as { message?: unknown; actual?: unknown };
  return `${String(e?.message)} ${JSON.stringify(e?.actual) ?? ''}`;
}

describe('the conformance suite catches broken connectors', () => {
  beforeAll(async () => {
    await fixture.setup?.();
  });
  afterAll(async () => {
    await fixture.teardown?.();
  });

  it('every flaw has a case that must catch it', () => {
    expect(Object.keys(CAUGHT_BY).sort()).toEqual([...FLAWS].sort());
  });

  it('the connector without flaws passes every case the mutants are checked against', async () => {
    for (const id of new Set(Object.values(CAUGHT_BY).map(([id]) => id))) await run(id);
  }, 60_000);

  for (const flaw of FLAWS) {
    const [id, why] = CAUGHT_BY[flaw];
    it(`${id} rejects a connector with the flaw: ${flaw}`, async () => {
      const err = await run(id, flaw).then(() => undefined, (e: unknown) => e);
      expect(err, 'the case passed a broken connector').toBeDefined();
      expect(failureText(err)).toMatch(why);
    }, 60_000);
  }

  it('also: the old file-connector flaw (no restore when exec throws) fails grant honesty', async () => {
    const err = await run('grantHonesty.eachItem', 'noRestoreOnThrow').then(() => undefined, (e: unknown) => e);
    expect(failureText(err)).toMatch(/without exec \S+: the target holds/);
  }, 60_000);
});

/**
 * The connector conformance suite. A connector's test file calls
 *
 *   runConformance((ctx) => myConnector.create(myConnector.configSchema.parse({ ...ctx })), localFileFixture());
 *
 * and gets every case as vitest tests: grant honesty, idempotent replay, deployment shape,
 * rollback, key hygiene, cancellation, error classification, inputs and inspect. Opt-outs live on the
 * fixture (`skip: { rollback: 'no reload step' }`) and must give a reason, else this throws
 * before registering anything. See packages/connector-sdk/README.md.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { cancellationTests } from './cases/cancellation.ts';
import { deploymentShapeTests } from './cases/deployment-shape.ts';
import { errorClassificationTests } from './cases/error-classification.ts';
import { grantHonestyTests } from './cases/grant-honesty.ts';
import { idempotentReplayTests } from './cases/idempotent-replay.ts';
import { inputTests } from './cases/inputs.ts';
import { inspectTests } from './cases/inspect.ts';
import { keyHygieneTests } from './cases/key-hygiene.ts';
import { planTests } from './cases/plan.ts';
import { rollbackTests } from './cases/rollback.ts';
import type { ConformanceTest } from './conformance-test.ts';
import { dispositionOf, validateOptOuts } from './opt-outs.ts';
import { TEST_IDS, type ConformanceFixture, type ConnectorFactory } from './types.ts';

export type * from './types.ts';
export { ConformanceOptOutError } from './opt-outs.ts';
export { localFileFixture, sshFileFixture } from './file-fixtures.ts';
export type { FileTargetContext } from './file-target.ts';

/** Every case, grouped as they are reported. */
export const CONFORMANCE_GROUPS: readonly { readonly name: string; readonly tests: readonly ConformanceTest[] }[] = [
  { name: 'grant honesty', tests: grantHonestyTests },
  { name: 'idempotent replay', tests: idempotentReplayTests },
  { name: 'deployment shape', tests: deploymentShapeTests },
  { name: 'rollback', tests: rollbackTests },
  { name: 'key hygiene', tests: keyHygieneTests },
  { name: 'cancellation', tests: cancellationTests },
  { name: 'error classification', tests: errorClassificationTests },
  { name: 'inputs', tests: inputTests },
  { name: 'inspect', tests: inspectTests },
  { name: 'plan mode', tests: planTests },
];

const DEFAULT_TIMEOUT_MS = 60_000;

/** Registers the conformance cases for `factory` on `fixture`'s targets. */
export function runConformance<C>(factory: ConnectorFactory<C>, fixture: ConformanceFixture<C>): void {
  validateOptOuts(fixture);
  const registered = CONFORMANCE_GROUPS.flatMap((g) => g.tests.map((t) => t.id));
  if (registered.join() !== TEST_IDS.join()) throw new Error('conformance suite: TEST_IDS and the registered cases disagree');
  const env = { factory, fixture };
  const timeout = fixture.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  describe(`connector conformance (${fixture.name})`, () => {
    beforeAll(async () => {
      await fixture.setup?.();
    }, timeout);
    afterAll(async () => {
      await fixture.teardown?.();
    }, timeout);
    for (const group of CONFORMANCE_GROUPS) {
      describe(group.name, () => {
        for (const test of group.tests) {
          const d = dispositionOf(fixture, test.id);
          const title = `${test.title} [${test.id}]`;
          if (d.kind === 'skip') it.skip(`${title} (opted out: ${d.reason})`, () => undefined);
          else if (d.kind === 'fails') it.fails(`${title} (known failure: ${d.reason})`, () => test.run(env), timeout);
          else it(title, () => test.run(env), timeout);
        }
      });
    }
  });
}

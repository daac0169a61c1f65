/**
 * Inspect: the optional read-only half of the contract (`Connector.inspect`, drift detection).
 * Run as the operator runs it — a new connector, the target's checked sandbox on the declared
 * grant, wrapped read-only — it must report the certificate the target holds (A after deploying
 * A, B after deploying B, whatever fingerprint it is told to expect), attempt no change (the
 * read-only sandbox counts and denies every write, exec, send and mutating request) and leave
 * the target exactly as it was. A connector without `inspect` opts out with the reason its
 * target cannot say what it holds.
 */
import { expect } from 'vitest';
import type { ConformanceTest } from '../conformance-test.ts';
import { mintCredential } from '../credentials.ts';
import { inspectOn, mustDeploy, withTarget } from '../harness.ts';

export const inspectTests: readonly ConformanceTest[] = [
  {
    id: 'inspect.readOnly',
    title: 'inspect reports what the target holds (A, then B) and attempts no change',
    async run(env) {
      const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
      await withTarget(env, async (target) => {
        if (env.factory(target.context).inspect === undefined) {
          throw new Error("the connector has no inspect; opt out of 'inspect' with the reason its target cannot say what it holds");
        }
        await mustDeploy(env, target, a.deployment);
        const before = await target.readState();
        const first = await inspectOn(env, target, a.deployment.fingerprint);
        expect(first.result.active?.fingerprint, 'inspect after deploying A').toBe(a.deployment.fingerprint);
        expect(first.deniedAttempts, 'mutating operations attempted by inspect').toBe(0);
        expect(await target.readState(), 'the target after inspect').toEqual(before);

        await mustDeploy(env, target, b.deployment);
        // Told to expect A (what the operator deployed), it must still report what is there: B.
        const second = await inspectOn(env, target, a.deployment.fingerprint);
        expect(second.result.active?.fingerprint, 'inspect after B replaced A').toBe(b.deployment.fingerprint);
        expect(second.deniedAttempts).toBe(0);
      });
    },
  },
];

/**
 * Grant honesty: the connector needs every item it declares and nothing more. With exactly
 * `capabilities()` a deploy succeeds; with any single item removed it fails with the sandbox's
 * DeniedError (not another error, not success, not a swallowed denial) and leaves the target
 * holding the previous certificate (no half deployment).
 */
import { expect } from 'vitest';
import { isDenied } from '../../sandbox/errors.ts';
import type { ConformanceTest } from '../conformance-test.ts';
import { mintCredential } from '../credentials.ts';
import { stateProblems } from '../expect-state.ts';
import { grantItems, withoutItem } from '../grant-items.ts';
import { deployTo, describeError, mustDeploy, withTarget } from '../harness.ts';

export const grantHonestyTests: readonly ConformanceTest[] = [
  {
    id: 'grantHonesty.exact',
    title: 'deploy succeeds with exactly capabilities()',
    async run(env) {
      const cred = await mintCredential();
      await withTarget(env, async (target) => {
        const r = await mustDeploy(env, target, cred.deployment);
        expect(r.changed).toBe(true);
        expect(stateProblems(await target.readState(), cred, 'after deploy')).toEqual([]);
      });
    },
  },
  {
    id: 'grantHonesty.eachItem',
    title: 'with any single grant item removed, deploy fails with DeniedError and the previous certificate stays',
    async run(env) {
      const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
      await withTarget(env, async (target) => {
        await mustDeploy(env, target, a.deployment);
        const declared = env.factory(target.context).capabilities();
        const items = grantItems(declared);
        expect(items.length, 'the connector declares an empty grant, so it cannot deploy anything').toBeGreaterThan(0);
        const problems: string[] = [];
        for (const item of items) {
          const o = await deployTo(env, target, b.deployment, { grant: withoutItem(declared, item) });
          if (o.ok) problems.push(`without ${item.label}: deploy succeeded (changed: ${o.result.changed}); the item is not needed, or a denial was swallowed`);
          else if (!isDenied(o.error)) problems.push(`without ${item.label}: failed with ${describeError(o.error)} instead of a DeniedError`);
          problems.push(...stateProblems(await target.readState(), a, `without ${item.label}`));
          if (o.ok) await mustDeploy(env, target, a.deployment); // back to A for the next item
        }
        expect(problems).toEqual([]);
      });
    },
  },
];

/**
 * Rollback: when the server refuses the new certificate (the reload fails), deploy throws and
 * the target goes back to the previous certificate — files and what the server serves. Then,
 * with the reload healthy again, the same deploy goes through (the failed attempt did not
 * leave anything that makes the replay a false no-op).
 */
import { expect } from 'vitest';
import type { ConformanceTest } from '../conformance-test.ts';
import { mintCredential } from '../credentials.ts';
import { stateProblems } from '../expect-state.ts';
import { deployTo, mustDeploy, reloadSwitch, withTarget } from '../harness.ts';

export const rollbackTests: readonly ConformanceTest[] = [
  {
    id: 'rollback.reloadFailure',
    title: 'deploy A, break the reload, deploy B: B fails and the target still holds A; fixed, B deploys',
    async run(env) {
      const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
      await withTarget(env, async (target) => {
        const setReload = reloadSwitch(target, 'rollback');
        await setReload('ok');
        await mustDeploy(env, target, a.deployment);
        await setReload('fail');
        const failed = await deployTo(env, target, b.deployment);
        expect(failed.ok, 'deploy B must fail while the reload fails').toBe(false);
        expect(stateProblems(await target.readState(), a, 'after the failed deploy of B')).toEqual([]);
        await setReload('ok');
        const retried = await mustDeploy(env, target, b.deployment);
        expect(retried.changed).toBe(true);
        expect(stateProblems(await target.readState(), b, 'after B with a healthy reload')).toEqual([]);
      });
    },
  },
];

/**
 * Idempotent replay: delivery is at-least-once, so a second deploy of the same Deployment —
 * by a new connector instance, as after a controller restart — must find the fingerprint on
 * the target and change nothing: `changed: false`, zero writes, restores, execs and mutating
 * requests. And the key is the fingerprint, not "something is there": a different
 * certificate in between makes the replay a real deploy again.
 */
import { expect } from 'vitest';
import type { ConformanceTest } from '../conformance-test.ts';
import { mintCredential } from '../credentials.ts';
import { stateProblems } from '../expect-state.ts';
import { mustDeploy, withTarget } from '../harness.ts';

export const idempotentReplayTests: readonly ConformanceTest[] = [
  {
    id: 'idempotentReplay.noop',
    title: 'a replay returns changed: false with zero writes, zero execs and zero mutating requests',
    async run(env) {
      const cred = await mintCredential();
      await withTarget(env, async (target) => {
        const first = await mustDeploy(env, target, cred.deployment);
        expect(first.changed, 'the first deploy to an empty target must report a change').toBe(true);
        const before = await target.readState();
        const replay = await mustDeploy(env, target, cred.deployment);
        const c = replay.sandbox.calls;
        expect(replay.changed).toBe(false);
        expect({
          writeFile: c.writeFile.attempted,
          restoreFile: c.restoreFile.attempted,
          exec: c.exec.attempted,
          mutatingRequest: c.mutatingRequest.attempted,
        }).toEqual({ writeFile: 0, restoreFile: 0, exec: 0, mutatingRequest: 0 });
        expect(await target.readState()).toEqual(before);
        expect(stateProblems(before, cred, 'after replay')).toEqual([]);
      });
    },
  },
  {
    id: 'idempotentReplay.newFingerprint',
    title: 'idempotency keys on the fingerprint: A, then B, then A again deploys A again',
    async run(env) {
      const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
      await withTarget(env, async (target) => {
        await mustDeploy(env, target, a.deployment);
        const toB = await mustDeploy(env, target, b.deployment);
        expect(toB.changed).toBe(true);
        expect(stateProblems(await target.readState(), b, 'after B')).toEqual([]);
        const backToA = await mustDeploy(env, target, a.deployment);
        expect(backToA.changed).toBe(true);
        expect(stateProblems(await target.readState(), a, 'after A again')).toEqual([]);
      });
    },
  },
];

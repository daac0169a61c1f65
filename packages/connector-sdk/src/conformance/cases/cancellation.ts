/**
 * Cancellation: the controller aborts a deploy at its deadline or on shutdown. An already
 * aborted signal makes deploy reject before it changes anything. An abort while the reload
 * runs makes deploy reject too, and must not leave the target in a state where the replay is
 * a false no-op: after the replay the server serves the new certificate.
 */
import { expect } from 'vitest';
import type { ConformanceTest } from '../conformance-test.ts';
import { mintCredential } from '../credentials.ts';
import { stateProblems } from '../expect-state.ts';
import { deployTo, mustDeploy, reloadSwitch, withTarget } from '../harness.ts';

/** How long after the reload starts the abort comes. Sequencing only: nothing asserts on time. */
const ABORT_AFTER_MS = 250;

export const cancellationTests: readonly ConformanceTest[] = [
  {
    id: 'cancellation.preAborted',
    title: 'an already-aborted signal: deploy rejects and writes, restores and runs nothing',
    async run(env) {
      const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
      await withTarget(env, async (target) => {
        await target.setReload?.('ok');
        await mustDeploy(env, target, a.deployment);
        const ac = new AbortController();
        ac.abort(new Error('conformance: cancelled before deploy'));
        const o = await deployTo(env, target, b.deployment, { signal: ac.signal });
        expect(o.ok, 'deploy with an aborted signal must reject').toBe(false);
        expect(o.sandbox.effects, 'completed writes, restores, execs and mutating requests').toBe(0);
        expect(stateProblems(await target.readState(), a, 'after the cancelled deploy')).toEqual([]);
      });
    },
  },
  {
    id: 'cancellation.duringReload',
    title: 'an abort while the reload runs: deploy rejects, and the replay leaves the server serving the new certificate',
    async run(env) {
      const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
      await withTarget(env, async (target) => {
        const setReload = reloadSwitch(target, 'cancellation.duringReload');
        await setReload('ok');
        await mustDeploy(env, target, a.deployment);
        await setReload('slow');
        const ac = new AbortController();
        let timer: NodeJS.Timeout | undefined;
        const onExec = (): void => {
          timer ??= setTimeout(() => ac.abort(new Error('conformance: cancelled during reload')), ABORT_AFTER_MS);
        };
        const o = await deployTo(env, target, b.deployment, { signal: ac.signal, onExec });
        clearTimeout(timer);
        expect(timer, 'the connector never ran its reload').toBeDefined();
        expect(o.ok, 'deploy must reject when aborted during the reload').toBe(false);
        await setReload('ok');
        await mustDeploy(env, target, b.deployment);
        expect(stateProblems(await target.readState(), b, 'after the replay')).toEqual([]);
      });
    },
  },
];

/**
 * Plan mode (`Connector.plan`): the plan step reads and predicts, and changes nothing — the
 * plan sandbox refuses every mutating operation and counts the attempts, and the counting
 * sandbox behind it proves none got through. Its prediction is then held against what `deploy`
 * really does on the same target: the same file paths written, the same commands in the same
 * order, a mutating request exactly when requests or imports were planned. After the deploy, a
 * second plan predicts no change. A plan may declare what it cannot know (`unpredictable`: an
 * API that reads with a POST under a GET-only plan sandbox); then only what it did claim is held
 * against deploy, and nothing it claimed may be missing.
 */
import { expect } from 'vitest';
import type { PlanAction, PlanResult } from '../../plan.ts';
import { createSandbox } from '../../sandbox/checked-sandbox.ts';
import { planSandbox, type PlanSandbox } from '../../sandbox/plan-sandbox.ts';
import type { ConformanceTest } from '../conformance-test.ts';
import { CountingSandbox } from '../counting-sandbox.ts';
import { mintCredential } from '../credentials.ts';
import type { Deployment } from '../../deployment.ts';
import { mustDeploy, withTarget, type CaseEnv } from '../harness.ts';
import type { ConformanceTarget } from '../types.ts';

interface Planned {
  readonly result: PlanResult;
  readonly counted: CountingSandbox;
  readonly wrapper: PlanSandbox;
}

/** Runs `plan` once, as the controller does: a new connector, the checked sandbox, the plan wrapper. */
async function planOn<C>(env: CaseEnv<C>, target: ConformanceTarget<C>, dep: Deployment): Promise<Planned> {
  const connector = env.factory(target.context);
  if (connector.plan === undefined) throw new Error(`connector ${connector.name} has no plan step (opt out of the plan case with a reason if it cannot have one)`);
  const checked = createSandbox({ grant: connector.capabilities(), host: target.host });
  const counted = new CountingSandbox(checked);
  const wrapper = planSandbox(counted);
  try {
    const result = await connector.plan(new AbortController().signal, wrapper, dep, { ownerId: 'conformance/target' });
    return { result, counted, wrapper };
  } finally {
    await checked.close();
  }
}

const ofKind = <K extends PlanAction['kind']>(actions: readonly PlanAction[], kind: K) => actions.filter((a): a is Extract<PlanAction, { kind: K }> => a.kind === kind);
const predictsChange = (actions: readonly PlanAction[]) => actions.some((a) => a.kind !== 'unpredictable');

/** A plan refuses no file write, restore, command or socket send; a refused request must come with an "unpredictable". */
function planEffects(p: Planned) {
  const d = p.wrapper.denied;
  return {
    passedThrough: p.counted.effects,
    deniedWrites: d.writeFile + d.restoreFile,
    deniedExecs: d.exec,
    deniedSends: d.send,
    deniedRequestsWithoutSayingSo: d.request > 0 && ofKind(p.result.actions, 'unpredictable').length === 0 ? d.request : 0,
  };
}
const NO_EFFECTS = { passedThrough: 0, deniedWrites: 0, deniedExecs: 0, deniedSends: 0, deniedRequestsWithoutSayingSo: 0 };

export const planTests: readonly ConformanceTest[] = [
  {
    id: 'plan.noChange',
    title: 'plan changes nothing: no mutating call is attempted and the target holds what it held',
    async run(env) {
      const cred = await mintCredential();
      await withTarget(env, async (target) => {
        const before = await target.readState();
        const p = await planOn(env, target, cred.deployment);
        expect(planEffects(p)).toEqual(NO_EFFECTS);
        expect(await target.readState()).toEqual(before);
        expect(p.result.actions.length, 'a fresh target needs a change: the plan must list it').toBeGreaterThan(0);
        expect(JSON.stringify(p.result), 'a plan never carries key material').not.toContain(cred.deployment.privateKey.reveal().split('\n')[1] ?? '\u0000');
      });
    },
  },
  {
    id: 'plan.matchesDeploy',
    title: "plan's prediction matches what deploy then does, and a plan after the deploy predicts no change",
    async run(env) {
      const cred = await mintCredential({ intermediates: 1 });
      await withTarget(env, async (target) => {
        const p = await planOn(env, target, cred.deployment);
        const planned = p.result.actions;
        const deployed = await mustDeploy(env, target, cred.deployment);
        expect(deployed.changed).toBe(true);
        const s = deployed.sandbox;
        expect([...new Set(s.writtenPaths)].sort(), 'the files deploy wrote').toEqual([...new Set(ofKind(planned, 'writeFile').map((a) => a.path))].sort());
        expect(s.execArgvs, 'the commands deploy ran, in order').toEqual(ofKind(planned, 'exec').map((a) => [...a.argv]));
        const plannedRequests = ofKind(planned, 'http').length + ofKind(planned, 'import').length;
        const unsure = ofKind(planned, 'unpredictable').length > 0;
        // A request was planned → deploy made one. A plan that said what it cannot predict (an API
        // that reads with a POST, under a GET-only plan sandbox) may see deploy do more; one that
        // claimed to know everything may not.
        if (plannedRequests > 0) expect(s.calls.mutatingRequest.completed, 'a planned request or import was made').toBeGreaterThan(0);
        if (!unsure) expect(s.calls.mutatingRequest.completed > 0, 'a mutating request exactly when the plan lists a request or an import').toBe(plannedRequests > 0);

        const after = await planOn(env, target, cred.deployment);
        expect(planEffects(after)).toEqual(NO_EFFECTS);
        // After the deploy, nothing to do — unless the plan says it could not tell.
        const afterUnsure = ofKind(after.result.actions, 'unpredictable').length > 0;
        if (!afterUnsure) expect(predictsChange(after.result.actions), `a plan after the deploy predicts: ${after.result.summary}`).toBe(false);
        else expect(ofKind(after.result.actions, 'writeFile').concat(), 'files are always readable: a plan after the deploy writes none').toEqual([]);
      });
    },
  },
];

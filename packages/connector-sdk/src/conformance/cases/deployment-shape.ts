/**
 * Deployment shape: deploy returns plain data `{ changed, message?, remoteId? }`; the target
 * read back holds the fingerprint (and the chain and matching key, where the fixture can
 * tell); `capabilities()` is pure and well-formed, with no shell on a command string.
 */
import { expect } from 'vitest';
import type { DeployResult } from '../../connector.ts';
import type { ConformanceTest } from '../conformance-test.ts';
import { mintCredential } from '../credentials.ts';
import { stateProblems } from '../expect-state.ts';
import { grantFormProblems } from '../grant-items.ts';
import { mustDeploy, withTarget } from '../harness.ts';

const RESULT_KEYS = new Set(['changed', 'message', 'remoteId']);
/** Status messages are short summaries, not logs. */
const MAX_MESSAGE = 1024;

/** Problems with the form of a DeployResult. */
export function resultProblems(result: unknown, label: string): string[] {
  if (typeof result !== 'object' || result === null) return [`${label}: deploy returned ${String(result)}, not an object`];
  const r = result as Partial<DeployResult> & Record<string, unknown>;
  const out: string[] = [];
  for (const key of Object.keys(r)) if (!RESULT_KEYS.has(key)) out.push(`${label}: unexpected key ${JSON.stringify(key)}`);
  if (typeof r.changed !== 'boolean') out.push(`${label}: changed is ${typeof r.changed}, not boolean`);
  if (r.message !== undefined && (typeof r.message !== 'string' || r.message.length > MAX_MESSAGE)) out.push(`${label}: message must be a string of at most ${MAX_MESSAGE} characters`);
  if (r.remoteId !== undefined && (typeof r.remoteId !== 'string' || r.remoteId === '')) out.push(`${label}: remoteId must be a non-empty string`);
  if (JSON.stringify(JSON.parse(JSON.stringify(r))) !== JSON.stringify(r)) out.push(`${label}: the result does not survive a JSON round trip`);
  return out;
}

const strip = ({ sandbox: _sandbox, ...result }: DeployResult & { sandbox: unknown }): DeployResult => result;

export const deploymentShapeTests: readonly ConformanceTest[] = [
  {
    id: 'deploymentShape.result',
    title: 'deploy returns { changed: boolean, message?: string, remoteId?: string }',
    async run(env) {
      const cred = await mintCredential();
      await withTarget(env, async (target) => {
        const first = strip(await mustDeploy(env, target, cred.deployment));
        const replay = strip(await mustDeploy(env, target, cred.deployment));
        expect([...resultProblems(first, 'first deploy'), ...resultProblems(replay, 'replay')]).toEqual([]);
        expect([first.changed, replay.changed]).toEqual([true, false]);
      });
    },
  },
  {
    id: 'deploymentShape.readBack',
    title: 'the target read back holds the fingerprint, the chain and the matching key',
    async run(env) {
      const cred = await mintCredential({ intermediates: 2 });
      await withTarget(env, async (target) => {
        expect((await target.readState()).fingerprint, 'a fresh target must hold nothing').toBeNull();
        await mustDeploy(env, target, cred.deployment);
        const state = await target.readState();
        expect(stateProblems(state, cred, 'after deploy')).toEqual([]);
        expect(state.fingerprint).toBe(cred.deployment.fingerprint);
      });
    },
  },
  {
    id: 'deploymentShape.capabilities',
    title: 'capabilities() is pure, well-formed and runs no shell',
    async run(env) {
      const cred = await mintCredential();
      await withTarget(env, async (target) => {
        const connector = env.factory(target.context);
        const first = structuredClone(connector.capabilities());
        expect(connector.capabilities(), 'two calls differ').toEqual(first);
        expect(env.factory(target.context).capabilities(), 'two instances for one target differ').toEqual(first);
        expect(grantFormProblems(first)).toEqual([]);
        await mustDeploy(env, target, cred.deployment);
        expect(connector.capabilities(), 'a deploy changed the declared grant').toEqual(first);
      });
    },
  },
];

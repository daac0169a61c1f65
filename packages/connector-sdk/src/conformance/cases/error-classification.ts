/**
 * Error classification: the controller decides backoff from `retryable`, so every error a
 * deploy throws is a CertDeployerError with a boolean `retryable` of the right value — a
 * refused reload is terminal, a denial is the sandbox's own DeniedError (terminal), and an
 * unreachable host is retryable (not dressed up as a terminal error or a denial).
 */
import { expect } from 'vitest';
import { CertDeployerError, isDenied } from '../../sandbox/errors.ts';
import type { ConformanceTest } from '../conformance-test.ts';
import { mintCredential } from '../credentials.ts';
import { grantItems, withoutItem } from '../grant-items.ts';
import { deployTo, describeError, mustDeploy, reloadSwitch, withTarget } from '../harness.ts';

/** The classification of a thrown value, as the controller would see it. */
function classify(err: unknown): { certDeployerError: boolean; retryable: unknown; denied: boolean; what: string } {
  return {
    certDeployerError: err instanceof CertDeployerError,
    retryable: (err as { retryable?: unknown } | null)?.retryable,
    denied: isDenied(err),
    what: describeError(err),
  };
}

export const errorClassificationTests: readonly ConformanceTest[] = [
  {
    id: 'errorClassification.reloadFailure',
    title: 'a failed reload throws a CertDeployerError with retryable: false',
    async run(env) {
      const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
      await withTarget(env, async (target) => {
        const setReload = reloadSwitch(target, 'errorClassification.reloadFailure');
        await setReload('ok');
        await mustDeploy(env, target, a.deployment);
        await setReload('fail');
        const o = await deployTo(env, target, b.deployment);
        expect(o.ok).toBe(false);
        if (!o.ok) expect(classify(o.error)).toMatchObject({ certDeployerError: true, retryable: false, denied: false });
      });
    },
  },
  {
    id: 'errorClassification.denied',
    title: 'a denial surfaces as the sandbox DeniedError, unwrapped, with retryable: false',
    async run(env) {
      const cred = await mintCredential();
      await withTarget(env, async (target) => {
        const declared = env.factory(target.context).capabilities();
        const first = grantItems(declared)[0];
        expect(first, 'the connector declares an empty grant').toBeDefined();
        if (first === undefined) return;
        const o = await deployTo(env, target, cred.deployment, { grant: withoutItem(declared, first) });
        expect(o.ok).toBe(false);
        if (!o.ok) expect(classify(o.error)).toMatchObject({ certDeployerError: true, retryable: false, denied: true });
      });
    },
  },
  {
    id: 'errorClassification.unreachable',
    title: 'an unreachable host throws a CertDeployerError with retryable: true',
    async run(env) {
      const unreachable = env.fixture.unreachableHost;
      if (unreachable === undefined) throw new Error("the fixture has no unreachableHost(); opt out of 'errorClassification.unreachable' with a reason");
      const cred = await mintCredential();
      const host = await unreachable.call(env.fixture);
      try {
        await withTarget(env, async (target) => {
          const o = await deployTo(env, target, cred.deployment, { host });
          expect(o.ok).toBe(false);
          if (!o.ok) expect(classify(o.error)).toMatchObject({ certDeployerError: true, retryable: true, denied: false });
        });
      } finally {
        await host.close();
      }
    },
  },
];

/**
 * Key hygiene: nothing a connector returns or throws carries the private key — not the result
 * (JSON, util.inspect), not an error (message, stack, JSON, util.inspect, causes), not an argv
 * or URL it hands the sandbox (those reach process lists and DeniedError messages). The
 * failing reload of the file fixtures prints the key file to stderr on purpose, like a server
 * dumping its bad config, so a connector that quotes server output raw is caught. And a key
 * file at rest is not readable by others.
 */
import { expect } from 'vitest';
import { keyMaterialLeaks, keyMaterialNeedles } from '../../testing/leak-check.ts';
import type { ConformanceTest } from '../conformance-test.ts';
import { mintCredential } from '../credentials.ts';
import { grantItems, withoutItem } from '../grant-items.ts';
import { deployTo, mustDeploy, withTarget, type Outcome } from '../harness.ts';
import { surfacesOf } from '../leak-surfaces.ts';

/** Group and other may not write or execute a key; other may not read it (group-read is allowed). */
const FORBIDDEN_KEY_BITS = 0o037;

export const keyHygieneTests: readonly ConformanceTest[] = [
  {
    id: 'keyHygiene.noKeyInOutput',
    title: 'no result, error, argv or URL carries a line of the private key',
    async run(env) {
      const [first, second] = await Promise.all([mintCredential({ name: 'Canary 1' }), mintCredential({ name: 'Canary 2' })]);
      const surfaces: string[] = [];
      const keep = (o: Outcome): Outcome => {
        surfaces.push(...surfacesOf(o.ok ? o.result : o.error), ...o.sandbox.calls.visible);
        return o;
      };
      await withTarget(env, async (target) => {
        await target.setReload?.('ok');
        expect(keep(await deployTo(env, target, first.deployment)).ok, 'the canary deploy must succeed').toBe(true);
        keep(await deployTo(env, target, first.deployment));
        if (target.setReload !== undefined) {
          await target.setReload('fail');
          expect(keep(await deployTo(env, target, second.deployment)).ok, 'deploy must fail while the reload fails').toBe(false);
          await target.setReload('ok');
        }
        const aborted = new AbortController();
        aborted.abort(new Error('conformance: cancelled'));
        keep(await deployTo(env, target, second.deployment, { signal: aborted.signal }));
        const declared = env.factory(target.context).capabilities();
        for (const item of grantItems(declared)) keep(await deployTo(env, target, second.deployment, { grant: withoutItem(declared, item) }));
      });
      expect(keyMaterialNeedles(first.keyPem).length, 'the canary has no needles to look for').toBeGreaterThan(0);
      expect(keyMaterialLeaks(surfaces, [first.keyPem, second.keyPem])).toEqual([]);
    },
  },
  {
    id: 'keyHygiene.keyFileMode',
    title: 'the stored key is not readable by others nor writable by group or others',
    async run(env) {
      const cred = await mintCredential();
      await withTarget(env, async (target) => {
        await mustDeploy(env, target, cred.deployment);
        const mode = (await target.readState()).privateKeyMode;
        if (mode === undefined) throw new Error("the fixture does not report privateKeyMode; opt out of 'keyHygiene.keyFileMode' with a reason");
        expect((mode & FORBIDDEN_KEY_BITS).toString(8), `key file mode is 0${mode.toString(8)}`).toBe('0');
      });
    },
  },
];

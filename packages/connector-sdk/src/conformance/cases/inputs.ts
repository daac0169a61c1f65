/**
 * Inputs: every key type the credential model accepts (RSA, ECDSA P-256 and P-384, Ed25519)
 * and a long chain (leaf + 3 intermediates + root) deploy and read back the right leaf, the
 * whole chain in order and a key that matches.
 */
import { expect } from 'vitest';
import type { ConformanceTest } from '../conformance-test.ts';
import { mintCredential, type CredentialOptions } from '../credentials.ts';
import { stateProblems } from '../expect-state.ts';
import { mustDeploy, withTarget } from '../harness.ts';
import type { TestId } from '../types.ts';

const INPUTS: readonly (readonly [TestId, string, CredentialOptions])[] = [
  ['inputs.rsa', 'an RSA 2048 key', { keyAlgorithm: 'rsa' }],
  ['inputs.ecdsaP256', 'an ECDSA P-256 key', { keyAlgorithm: 'ecdsa-p256' }],
  ['inputs.ecdsaP384', 'an ECDSA P-384 key', { keyAlgorithm: 'ecdsa-p384' }],
  ['inputs.ed25519', 'an Ed25519 key', { keyAlgorithm: 'ed25519' }],
  ['inputs.longChain', 'a long chain: leaf + 3 intermediates + root', { intermediates: 3, withRoot: true }],
];

export const inputTests: readonly ConformanceTest[] = INPUTS.map(([id, what, opts]) => ({
  id,
  title: `${what} deploys and reads back the right fingerprint`,
  async run(env) {
    const cred = await mintCredential(opts);
    await withTarget(env, async (target) => {
      await target.setReload?.('ok');
      const r = await mustDeploy(env, target, cred.deployment);
      expect(r.changed).toBe(true);
      expect(stateProblems(await target.readState(), cred, what)).toEqual([]);
    });
  },
}));

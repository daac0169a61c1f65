/**
 * The client library has ad-hoc debug logging (GOOGLE_SDK_NODE_LOGGING) that prints every
 * request, and a create or update request carries the private key. With that variable set in
 * the operator's environment, a deploy must still print nothing of the key. Own file: the
 * variable is process-wide.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { keyMaterialLeaks } from '../../../support/certs/index.ts';
import { mintCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { GcpFake } from '../../../support/gcp-fake/index.ts';
import { resultOf, run, saBlock, SA_EMAIL, secretsWith } from './harness.ts';

let fake: GcpFake;

beforeAll(async () => {
  process.env.GOOGLE_SDK_NODE_LOGGING = '*';
  fake = await GcpFake.start({ pollsUntilDone: 1 });
});
afterAll(async () => {
  delete process.env.GOOGLE_SDK_NODE_LOGGING;
  vi.restoreAllMocks();
  await fake.close();
});

describe('gcpCertificateManager with the library\'s debug logging requested', () => {
  it('a create and an update print no line of the key', async () => {
    const printed: string[] = [];
    for (const method of ['error', 'log', 'info', 'debug', 'warn'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        printed.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
      });
    }
    const secrets = secretsWith(fake.oauth.createServiceAccount(SA_EMAIL));
    const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
    resultOf(await run(saBlock(fake, 'logging'), a.deployment, { ctx: { secrets } }));
    resultOf(await run(saBlock(fake, 'logging'), b.deployment, { ctx: { secrets } }));
    expect(keyMaterialLeaks(printed, [a.keyPem, b.keyPem])).toEqual([]);
  });
});

/**
 * The connector waits on the controller's clock (`DeployContext.clock`), not on the process's:
 * with a FakeClock in the context and no test override of `sleep`, an unfinished operation is
 * not polled again until the fake clock moves, however much real time passes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../src/core/fake-clock.ts';
import { mintCredential, type TestCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { GcpFake } from '../../../support/gcp-fake/index.ts';
import { FAST_POLL, nameOf, resultOf, run, saBlock, SA_EMAIL, secretsWith, type RunOutcome } from './harness.ts';

let fake: GcpFake;
let secrets: ReturnType<typeof secretsWith>;
let cred: TestCredential;

beforeAll(async () => {
  fake = await GcpFake.start({ pollsUntilDone: 1 });
  secrets = secretsWith(fake.oauth.createServiceAccount(SA_EMAIL));
  cred = await mintCredential();
});
afterAll(() => fake.close());

const realPause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('gcpCertificateManager on the injected clock', () => {
  it('polls an unfinished operation only when the fake clock advances', async () => {
    // Started at the real time: the service-account JWT is signed with this clock's time too.
    const clock = new FakeClock(Date.now());
    const seen = fake.requests.length;
    const polls = () => fake.requests.slice(seen).filter((r) => r.path.includes('/operations/')).length;
    let outcome: RunOutcome | undefined;
    const pending = run(saBlock(fake, 'clocked'), cred.deployment, { ctx: { secrets, clock } }).then((o) => (outcome = o));

    // Real time passes: the create was sent, but the connector sleeps on the fake clock.
    for (let i = 0; i < 50 && fake.requests.slice(seen).every((r) => r.method !== 'POST' || !r.path.includes('/certificates')); i++) await realPause(20);
    await realPause(300);
    expect(outcome).toBeUndefined();
    expect(polls()).toBe(0);

    // Moving the fake clock past the first poll delay lets it poll and finish.
    for (let i = 0; i < 100 && outcome === undefined; i++) {
      await clock.advance(FAST_POLL.maxMs);
      await realPause(10);
    }
    await pending;
    expect(resultOf(outcome!)).toMatchObject({ changed: true });
    expect(polls()).toBeGreaterThanOrEqual(1);
    expect(fake.certificates.has(nameOf('clocked'))).toBe(true);
  });
});

/**
 * Waiting for a long-running operation is bounded by the deploy's signal: an operation that
 * never finishes is polled with backoff until the signal aborts, then deploy rejects with the
 * signal's reason and polls no more. The backoff schedule itself is pure and checked here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLL_SCHEDULE, pollDelays, sleep, type Sleep } from '../../../../src/connectors/gcp-certificate-manager/operation-wait.ts';
import { mintCredential, type TestCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { GcpFake } from '../../../support/gcp-fake/index.ts';
import { errorOf, nameOf, run, saBlock, SA_EMAIL, secretsWith } from './harness.ts';

let fake: GcpFake;
let secrets: ReturnType<typeof secretsWith>;
let cred: TestCredential;

beforeAll(async () => {
  fake = await GcpFake.start({ pollsUntilDone: 1 });
  secrets = secretsWith(fake.oauth.createServiceAccount(SA_EMAIL));
  cred = await mintCredential();
});
afterAll(() => fake.close());

const pollsOf = (from: number) => fake.requests.slice(from).filter((r) => r.path.includes('/operations/'));

describe('gcpCertificateManager operation polling', () => {
  it('an operation that never finishes: deploy rejects with the abort reason and stops polling', async () => {
    fake.setOutcome(nameOf('abort-poll'), 'hang');
    const ac = new AbortController();
    const reason = new Error('test: deploy deadline');
    let sleeps = 0;
    // Aborts while the connector sleeps between its third and fourth poll.
    const countingSleep: Sleep = (ms, signal) => {
      if (++sleeps === 4) ac.abort(reason);
      return sleep(ms, signal);
    };
    const seen = fake.requests.length;
    const o = await run(saBlock(fake, 'abort-poll'), cred.deployment, { ctx: { secrets }, signal: ac.signal, deps: { sleep: countingSleep } });
    expect(o.ok).toBe(false);
    if (!o.ok) expect(o.error).toBe(reason);
    expect(pollsOf(seen)).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 50));
    expect(pollsOf(seen)).toHaveLength(3);
    expect(fake.certificates.has(nameOf('abort-poll'))).toBe(false);
  });

  it('a deadline (AbortSignal.timeout) ends the wait too', async () => {
    fake.setOutcome(nameOf('abort-deadline'), 'hang');
    const o = await run(saBlock(fake, 'abort-deadline'), cred.deployment, { ctx: { secrets }, signal: AbortSignal.timeout(300) });
    expect((errorOf(o) as unknown as Error).name).toBe('TimeoutError');
  });

  it('the real sleep rejects with the signal reason at once when aborted', async () => {
    const ac = new AbortController();
    const pending = sleep(60_000, ac.signal);
    ac.abort('stop');
    await expect(pending).rejects.toBe('stop');
    await expect(sleep(60_000, AbortSignal.abort('already'))).rejects.toBe('already');
  });

  it('backoff: starts at the initial delay, multiplies, and stays at the cap', () => {
    const gen = pollDelays(DEFAULT_POLL_SCHEDULE);
    const first = Array.from({ length: 8 }, () => gen.next().value);
    expect(first).toEqual([1000, 1500, 2250, 3375, 5062.5, 7593.75, 10_000, 10_000]);
    const flat = pollDelays({ initialMs: 5, multiplier: 0.5, maxMs: 50 });
    expect([flat.next().value, flat.next().value]).toEqual([5, 5]);
  });
});

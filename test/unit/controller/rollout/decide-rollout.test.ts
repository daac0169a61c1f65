/**
 * The wave decision of spec.rollout as a table: spec, per-target status, fingerprint and time
 * in; phase, current wave, allowed targets, pending targets, pause end and halting targets out.
 */
import { describe, expect, it } from 'vitest';
import { decideRollout, targetState } from '../../../../src/controller/rollout/decide-rollout.ts';
import { buildWaves } from '../../../../src/controller/rollout/waves.ts';
import type { RolloutSpec } from '../../../../src/crds/rollout.ts';
import type { TargetStatus } from '../../../../src/crds/status.ts';

const OLD = 'a'.repeat(64);
const NEW = 'b'.repeat(64);
const T0 = Date.parse('2026-12-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const NAMES = ['a1', 'a2', 'b1', 'b2', 'c1', 'c2'];
const WAVES: RolloutSpec = { waves: [{ targets: ['a1', 'a2'] }, { targets: ['b1', 'b2'] }], pauseAfterWave: '30s', haltOnFailure: true };

/** Ready on `fp`, last attempt at `at`. */
const done = (name: string, fp = NEW, at = T0): TargetStatus => ({ name, ready: true, fingerprint: fp, lastAttemptAt: iso(at), deployedAt: iso(at) });
const failed = (name: string, attempted = NEW): TargetStatus => ({ name, ready: false, fingerprint: OLD, attemptedFingerprint: attempted, reason: 'DeployFailed', message: 'reload exited 1', lastAttemptAt: iso(T0) });
const old = (name: string): TargetStatus => done(name, OLD, T0 - 86_400_000);

describe('buildWaves', () => {
  it.each([
    ['named waves, then the rest as one last wave', { waves: [{ targets: ['b1'] }, { targets: ['a1', 'c2'] }] }, [['b1'], ['a1', 'c2'], ['a2', 'b2', 'c1']]],
    ['canary, then the rest maxConcurrent at a time in spec order', { canary: ['c1'], maxConcurrent: 2 }, [['c1'], ['a1', 'a2'], ['b1', 'b2'], ['c2']]],
    ['maxConcurrent alone', { maxConcurrent: 4 }, [['a1', 'a2', 'b1', 'b2'], ['c1', 'c2']]],
    ['every target named: no extra wave', { waves: [{ targets: ['a1', 'a2', 'b1'] }, { targets: ['b2', 'c1', 'c2'] }] }, [['a1', 'a2', 'b1'], ['b2', 'c1', 'c2']]],
    ['unknown names and repeats are dropped (admission refuses them; the controller stays safe)', { waves: [{ targets: ['zz', 'a1'] }, { targets: ['a1'] }] }, [['a1'], ['a2', 'b1', 'b2', 'c1', 'c2']]],
  ] as const)('%s', (_name, rollout, want) => {
    expect(buildWaves(rollout as RolloutSpec, NAMES)).toEqual(want);
  });
});

describe('targetState', () => {
  it.each([
    ['Ready on the current fingerprint', done('x'), 'done'],
    ['Ready on an older fingerprint', old('x'), 'todo'],
    ['failed for the current fingerprint', failed('x'), 'failed'],
    ['failed for an older fingerprint: a new certificate is a new attempt', failed('x', OLD), 'todo'],
    ['failed, written before attemptedFingerprint existed', { ...failed('x'), attemptedFingerprint: undefined }, 'todo'],
    ['never deployed', undefined, 'todo'],
  ] as const)('%s → %s', (_n, st, want) => {
    expect(targetState(st as TargetStatus | undefined, NEW)).toBe(want);
  });
});

interface Case {
  readonly name: string;
  readonly rollout?: RolloutSpec;
  readonly targets: TargetStatus[];
  readonly now?: number;
  readonly want: { phase: string; wave: number; allowed: string[]; pending?: string[]; current?: string[]; haltedBy?: string[]; pausedUntil?: number };
}

const cases: Case[] = [
  {
    name: 'a new certificate: wave 1 runs, the rest waits',
    targets: NAMES.map(old),
    want: { phase: 'Progressing', wave: 0, allowed: ['a1', 'a2'], current: ['a1', 'a2'], pending: ['b1', 'b2', 'c1', 'c2'] },
  },
  {
    name: 'first deploy (no status at all): same waves',
    targets: [],
    want: { phase: 'Progressing', wave: 0, allowed: ['a1', 'a2'], current: ['a1', 'a2'], pending: ['b1', 'b2', 'c1', 'c2'] },
  },
  {
    name: 'wave 1 half done: still wave 1',
    targets: [done('a1'), old('a2'), old('b1'), old('b2'), old('c1'), old('c2')],
    want: { phase: 'Progressing', wave: 0, allowed: ['a1', 'a2'], current: ['a2'] },
  },
  {
    name: 'wave 1 done 10 s ago, pause 30 s: Paused until its last target + 30 s; only wave 1 may run',
    targets: [done('a1', NEW, T0 - 20_000), done('a2', NEW, T0 - 10_000), old('b1'), old('b2'), old('c1'), old('c2')],
    want: { phase: 'Paused', wave: 1, allowed: ['a1', 'a2'], current: ['b1', 'b2'], pausedUntil: T0 + 20_000 },
  },
  {
    name: 'wave 1 done 30 s ago: wave 2 runs',
    targets: [done('a1', NEW, T0 - 40_000), done('a2', NEW, T0 - 30_000), old('b1'), old('b2'), old('c1'), old('c2')],
    want: { phase: 'Progressing', wave: 1, allowed: ['a1', 'a2', 'b1', 'b2'], current: ['b1', 'b2'], pending: ['c1', 'c2'] },
  },
  {
    name: 'no pause: the next wave runs as soon as the previous is done',
    rollout: { ...WAVES, pauseAfterWave: '0s' },
    targets: [done('a1'), done('a2'), old('b1'), old('b2'), old('c1'), old('c2')],
    want: { phase: 'Progressing', wave: 1, allowed: ['a1', 'a2', 'b1', 'b2'] },
  },
  {
    name: 'a target of wave 2 failed for this certificate: Halted, wave 3 waits',
    targets: [done('a1', NEW, T0 - 99_000), done('a2', NEW, T0 - 99_000), done('b1'), failed('b2'), old('c1'), old('c2')],
    want: { phase: 'Halted', wave: 1, allowed: ['a1', 'a2', 'b1', 'b2'], haltedBy: ['b2'], current: ['b2'], pending: ['c1', 'c2'] },
  },
  {
    name: 'the failed target fixed (Ready): wave 2 done, pause from the fix, then wave 3',
    targets: [done('a1', NEW, T0 - 99_000), done('a2', NEW, T0 - 99_000), done('b1', NEW, T0 - 60_000), done('b2', NEW, T0 - 5_000), old('c1'), old('c2')],
    want: { phase: 'Paused', wave: 2, allowed: ['a1', 'a2', 'b1', 'b2'], pausedUntil: T0 + 25_000, current: ['c1', 'c2'] },
  },
  {
    name: 'a failure for the previous certificate does not halt the rollout of a new one',
    targets: [old('a1'), old('a2'), old('b1'), failed('b2', OLD), old('c1'), old('c2')],
    want: { phase: 'Progressing', wave: 0, allowed: ['a1', 'a2'], haltedBy: [] },
  },
  {
    name: 'haltOnFailure false: a failed target settles its wave; the next starts, the failed one may keep retrying',
    rollout: { ...WAVES, haltOnFailure: false, pauseAfterWave: '0s' },
    targets: [done('a1'), failed('a2'), old('b1'), old('b2'), old('c1'), old('c2')],
    want: { phase: 'Progressing', wave: 1, allowed: ['a1', 'a2', 'b1', 'b2'], haltedBy: [] },
  },
  {
    name: 'every wave holds the certificate: Complete, every target free',
    targets: NAMES.map((n) => done(n)),
    want: { phase: 'Complete', wave: 2, allowed: NAMES, current: [], pending: [] },
  },
  {
    name: 'a done target of wave 1 regresses (failed redeploy): wave 1 is current again, Halted',
    targets: [failed('a1'), done('a2'), done('b1'), done('b2'), old('c1'), old('c2')],
    want: { phase: 'Halted', wave: 0, allowed: ['a1', 'a2'], haltedBy: ['a1'], pending: ['c1', 'c2'] },
  },
  {
    name: 'canary + maxConcurrent: canary first, then the rest two at a time',
    rollout: { canary: ['c2'], maxConcurrent: 2, pauseAfterWave: '0s', haltOnFailure: true },
    targets: [done('c2'), done('a1'), old('a2'), old('b1'), old('b2'), old('c1')],
    want: { phase: 'Progressing', wave: 1, allowed: ['c2', 'a1', 'a2'], current: ['a2'], pending: ['b1', 'b2', 'c1'] },
  },
];

describe('decideRollout: the table', () => {
  for (const c of cases) {
    it(c.name, () => {
      const r = decideRollout({ rollout: c.rollout ?? WAVES, targetNames: NAMES, targets: c.targets, fingerprint: NEW, now: c.now ?? T0 });
      expect(r.phase).toBe(c.want.phase);
      expect(r.wave).toBe(c.want.wave);
      expect([...r.allowed].sort()).toEqual([...c.want.allowed].sort());
      if (c.want.current) expect(r.current).toEqual(c.want.current);
      if (c.want.pending) expect(r.pending).toEqual(c.want.pending);
      if (c.want.haltedBy) expect(r.haltedBy).toEqual(c.want.haltedBy);
      expect(r.pausedUntil).toBe(c.want.pausedUntil);
    });
  }
});

/**
 * `spec.rollout`: progressive rollout of a new certificate across the targets of one
 * deployment — "don't push a new certificate to all 30 edges at once". Ordered waves (explicit
 * lists of target names, or a canary list and then the rest `maxConcurrent` at a time), a pause
 * after each wave, and a halt when a target fails. Pure schema: the decision lives in
 * src/controller/rollout/.
 *
 * Cross-field rules (names exist, a target in at most one wave) need the spec's target list, so
 * they are applied to the whole spec by {@link withRolloutRules}, in CEL and in zod alike.
 */
import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from '../core/duration.ts';
import { dnsLabel } from './common.ts';

/**
 * Most names in one list: spec.targets' own maximum (MAX_TARGETS in spec.ts, which imports this
 * file, so the constant cannot be imported back; a unit test keeps the two equal).
 */
export const MAX_ROLLOUT_NAMES = 32;

/** Longest pause after a wave: a day. Longer and the rollout outlives the certificate's renewal window. */
export const MAX_PAUSE_AFTER_WAVE = '24h';

const waveNames = z
  .array(dnsLabel)
  .min(1)
  .max(MAX_ROLLOUT_NAMES)
  .meta({ 'x-kubernetes-list-type': 'set' });

export const rolloutWave = z.object({
  targets: waveNames.describe('Names of the targets (spec.targets[].name) in this wave; they deploy side by side.'),
});

const pauseRule = `duration(self) <= duration('${MAX_PAUSE_AFTER_WAVE}')`;
const pauseMessage = `pauseAfterWave must be a duration such as 30s, 5m or 1h, at most ${MAX_PAUSE_AFTER_WAVE}`;

export const rollout = z
  .object({
    waves: z
      .array(rolloutWave)
      .min(1)
      .max(MAX_ROLLOUT_NAMES)
      .optional()
      .describe('Ordered waves of named targets. A wave starts only when every target of the waves before it holds the new certificate and is Ready (verified where verify endpoints are set). Targets named in no wave follow the named waves, maxConcurrent at a time. Exclusive with canary.'),
    canary: waveNames
      .optional()
      .describe('Shorthand for a first wave: these targets take a new certificate first; the others follow, maxConcurrent at a time. Exclusive with waves.'),
    maxConcurrent: z
      .int()
      .min(1)
      .max(MAX_ROLLOUT_NAMES)
      .optional()
      .describe('Wave size for the targets not named in waves or canary, taken in spec order. Absent: they form one last wave.'),
    pauseAfterWave: z
      .string()
      .min(2)
      .max(16)
      .regex(DURATION_PATTERN)
      .refine((v) => {
        const ms = parseDuration(v);
        return ms !== undefined && ms <= parseDuration(MAX_PAUSE_AFTER_WAVE)!;
      }, pauseMessage)
      .default('0s')
      .meta({ 'x-kubernetes-validations': [{ rule: pauseRule, message: pauseMessage }] })
      .describe(`How long to wait after a wave is deployed and verified before the next starts (Go-style duration: 30s, 5m, 1h30m; at most ${MAX_PAUSE_AFTER_WAVE}). Default 0s.`),
    haltOnFailure: z
      .boolean()
      .default(true)
      .describe('true (default): a target of the current wave that fails stops the rollout; later waves keep the previous certificate and Ready reports RolloutHalted naming the target, until it is fixed (Ready again) or a new certificate restarts the rollout. false: a failed target keeps retrying on its own and the next wave starts anyway.'),
  })
  .refine((r) => !(r.waves && r.canary), 'set either waves or canary, not both')
  .meta({ 'x-kubernetes-validations': [{ rule: '!(has(self.waves) && has(self.canary))', message: 'set either waves or canary, not both' }] });
export type RolloutSpec = z.infer<typeof rollout>;

/** The target names a rollout lists, in order (waves, or the canary list). */
export function listedNames(r: Pick<RolloutSpec, 'waves' | 'canary'>): string[] {
  return r.waves ? r.waves.flatMap((w) => w.targets) : [...(r.canary ?? [])];
}

const listed = 'self.rollout.waves.map(w, w.targets.size()).sum()';
const namesRule = `!has(self.rollout) || ((!has(self.rollout.waves) || self.rollout.waves.all(w, w.targets.all(n, self.targets.exists(t, t.name == n)))) && (!has(self.rollout.canary) || self.rollout.canary.all(n, self.targets.exists(t, t.name == n))))`;
const namesMessage = 'every name in spec.rollout must be the name of a target in spec.targets';
// Every listed name exists (rule above) and the existing names that are listed are as many as
// the list entries: so no name is listed twice. (Within one wave a set-type list already forbids it.)
const onceRule = `!has(self.rollout) || !has(self.rollout.waves) || self.targets.filter(t, self.rollout.waves.exists(w, t.name in w.targets)).size() == ${listed}`;
const onceMessage = 'a target may be in at most one wave of spec.rollout.waves';

/**
 * Adds the cross-field rollout rules to the spec schema (CEL for the API server, the same rules
 * in zod for the controller), so `kubectl apply` refuses what the controller would refuse.
 */
export function withRolloutRules<S extends z.ZodType<{ targets: readonly { name: string }[]; rollout?: RolloutSpec | undefined }>>(spec: S): S {
  return spec
    .superRefine((s, ctx) => {
      if (!s.rollout) return;
      const names = new Set(s.targets.map((t) => t.name));
      const list = listedNames(s.rollout);
      const unknown = list.filter((n) => !names.has(n));
      if (unknown.length > 0) ctx.addIssue({ code: 'custom', path: ['rollout'], message: `${namesMessage} (unknown: ${[...new Set(unknown)].join(', ')})` });
      const twice = list.filter((n, i) => list.indexOf(n) !== i);
      if (twice.length > 0) ctx.addIssue({ code: 'custom', path: ['rollout', s.rollout.waves ? 'waves' : 'canary'], message: `${onceMessage} (listed again: ${[...new Set(twice)].join(', ')})` });
    })
    .meta({ 'x-kubernetes-validations': [{ rule: namesRule, message: namesMessage }, { rule: onceRule, message: onceMessage }] }) as S;
}

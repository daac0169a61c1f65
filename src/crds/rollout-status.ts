/**
 * `status.rollout`: where a progressive rollout stands (spec.rollout), so `kubectl get -o yaml`
 * answers "which wave is deploying, what is still pending, when does the pause end, who halted
 * it" without reading the controller's logs.
 */
import { z } from 'zod';
import { dnsLabel, timestamp } from './common.ts';

const names = z.array(dnsLabel).max(32);

export const ROLLOUT_PHASES = ['Progressing', 'Paused', 'Halted', 'Complete'] as const;

export const rolloutStatus = z.object({
  phase: z
    .enum(ROLLOUT_PHASES)
    .describe('Progressing: the current wave is deploying. Paused: the previous wave is done and the next waits for pauseAfterWave. Halted: a target failed (haltOnFailure) and later waves keep the previous certificate. Complete: every wave holds the current certificate.'),
  wave: z.int().min(1).max(32).describe('The current wave, 1-based: the first wave not yet deployed and verified (the last wave when Complete).'),
  waves: z.int().min(1).max(32).describe('How many waves the rollout has.'),
  current: names.optional().describe('Targets of the current wave that do not hold the current certificate yet.'),
  pending: names.optional().describe('Targets of later waves that keep the previous certificate until their wave starts.'),
  pausedUntil: timestamp.optional().describe('When the pause after the previous wave ends and the current wave starts (phase Paused).'),
  haltedBy: names.optional().describe('Targets whose failure halted the rollout (phase Halted).'),
  message: z.string().max(4096).optional().describe('Human-readable summary of the rollout state.'),
});
export type RolloutStatus = z.infer<typeof rolloutStatus>;

/**
 * Time for connectors: the controller's one injected clock (`./core/clock.ts`, also exported from the SDK root), handed over in
 * `DeployContext.clock`. Connectors wait, poll and bound their clean-up calls on it instead of
 * `Date.now`, `setTimeout` or `AbortSignal.timeout` (lint forbids those in `src/connectors`), so
 * a fake clock drives a connector's deadlines in step with the controller's.
 */
import { realClock, type Clock } from './core/clock.ts';
import type { DeployContext } from './connector.ts';

/**
 * The clock of this call: the controller's, or the real one when a caller (a test, a third
 * party's harness) built a context without one.
 */
export function clockOf(ctx: Pick<DeployContext, 'clock'> | undefined): Clock {
  return ctx?.clock ?? realClock;
}

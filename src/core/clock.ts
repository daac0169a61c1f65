/**
 * The one injected clock lives in the connector SDK package
 * (`packages/connector-sdk/src/core/clock.ts`): connectors and the sandbox runtime the
 * package ships time their work with it. This module is the operator's name for it.
 */
export { DeadlineError, realClock, sleepWith, withTimeout, type Clock, type TimerHandle } from '@cert-deployer/connector-sdk';

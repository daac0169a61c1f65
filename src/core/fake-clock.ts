/**
 * A manually driven {@link Clock} for tests (the role of client-go's `clock/testing.FakeClock`).
 * It lives in `src` so every controller's tests can share one implementation; production code
 * never constructs it.
 */
import { sleepWith, type Clock, type TimerHandle } from './clock.ts';

interface PendingTimer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/** Lets every already-queued promise continuation run (one macrotask turn). */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Time only moves when a test calls {@link FakeClock.advance}. Timers fire in due-time order
 * (ties in scheduling order), and pending promise continuations run between timers so async
 * code reacts to each tick the way it would in real time.
 */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: PendingTimer[] = [];

  /** `start` defaults to a fixed instant so test output is reproducible. */
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: PendingTimer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn, cancelled: false };
    this.#timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }

  /** Timers scheduled and neither fired nor cancelled. */
  pendingTimers(): number {
    return this.#live().length;
  }

  /** Due time of the earliest pending timer, or undefined when none is pending. */
  nextTimerAt(): number | undefined {
    return this.#live()[0]?.at;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way (including timers
   * scheduled by callbacks during the advance), with a microtask flush before and after each.
   */
  async advance(ms: number): Promise<void> {
    const target = this.#now + Math.max(0, ms);
    await flushMicrotasks();
    for (;;) {
      const next = this.#live()[0];
      if (next === undefined || next.at > target) break;
      this.#now = next.at;
      next.cancelled = true;
      next.fn();
      await flushMicrotasks();
    }
    this.#now = target;
    await flushMicrotasks();
  }

  /** Advances exactly to the next pending timer and fires it (and any due at the same instant). */
  async runNext(): Promise<void> {
    const at = this.nextTimerAt();
    if (at !== undefined) await this.advance(at - this.#now);
  }

  #live(): PendingTimer[] {
    this.#timers = this.#timers.filter((t) => !t.cancelled);
    return this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
  }
}

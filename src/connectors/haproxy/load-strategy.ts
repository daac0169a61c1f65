/**
 * How the running HAProxy is made to serve a new combined PEM: the seam between the connector's
 * file handling (read, compare, write, restore) and the two loading modes, the Runtime API hot
 * update and the config-test-plus-reload. The connector owns the file and the rollback order;
 * a strategy owns only "does HAProxy serve it", "load it" and "put HAProxy back".
 */

/** Why loading failed, in HAProxy's (or the command's) own words. Redacted by the caller's error helper. */
export interface LoadFailure {
  readonly why: string;
  /** True when the same request may succeed later (a concurrent transaction, a hung reload). */
  readonly retryable: boolean;
}

export interface LoadStrategy {
  /** What the mode does, for status messages: `hot update through the runtime API`. */
  readonly summary: string;
  /**
   * Whether the running HAProxy already serves the deployment. The reload mode cannot ask, so it
   * answers true and lets the file decide. Sandbox errors propagate.
   */
  serves(signal: AbortSignal): Promise<boolean>;
  /** Makes HAProxy serve `pem`; null on success. Sandbox errors (denied, unreachable, abort) propagate. */
  load(pem: string, signal: AbortSignal): Promise<LoadFailure | null>;
  /**
   * After a failed or interrupted load, once the previous file is back: puts the running HAProxy
   * back on it (`previous` is that file's text, null when there was none). Runs without the
   * deploy's signal, never throws, and returns a short note for the error message. `cancelled`
   * says the deploy was aborted: slow steps (a reload) are then left to the replay.
   */
  revert(previous: string | null, cancelled: boolean): Promise<string>;
}

/**
 * Loading by reload: the alternative for HAProxy instances without an admin-level socket.
 * After the file is written, the configuration test (`haproxy -c -f …`) must pass before the
 * reload runs, so a certificate HAProxy cannot load never reaches a reload that would take
 * the proxy down. A reload restarts workers (old ones drain their connections), which is why
 * the runtime API is the default.
 */
import type { Sandbox } from '@cert-deployer/connector-sdk';
import type { LoadFailure, LoadStrategy } from './load-strategy.ts';

export interface ReloadStrategyOptions {
  readonly sandbox: Sandbox;
  readonly configTest: readonly string[];
  readonly reload: readonly string[];
  readonly timeoutMs: number;
}

/** A reload strategy for one deploy (it remembers whether the reload ran). */
export function createReloadStrategy(opts: ReloadStrategyOptions): LoadStrategy {
  const { sandbox, timeoutMs } = opts;
  let reloaded = false;

  async function run(argv: readonly string[], signal?: AbortSignal): Promise<LoadFailure | null> {
    const r = await sandbox.exec(argv, { timeoutMs, ...(signal ? { signal } : {}) });
    if (r.exitCode === 0) return null;
    const status = r.timedOut ? `timed out after ${timeoutMs / 1000}s` : `exited ${r.exitCode ?? r.signal}`;
    // A hung command may finish later; one that exited non-zero refused this file.
    return { why: `${argv.join(' ')} ${status}: ${(r.stderr || r.stdout).trim()}`, retryable: r.timedOut };
  }

  return {
    summary: 'configuration test and reload',
    // Without a socket there is no asking the running process: the file is the truth.
    serves: () => Promise.resolve(true),
    async load(_pem, signal) {
      const tested = await run(opts.configTest, signal);
      if (tested !== null) return tested;
      reloaded = true;
      return run(opts.reload, signal);
    },
    async revert(_previous, cancelled) {
      if (!reloaded) return 'HAProxy was not reloaded';
      if (cancelled) return 'not reloaded again: cancelled (the next attempt reloads)';
      const again = await run(opts.reload).catch(() => ({ why: 'failed', retryable: false }));
      return again === null ? 'HAProxy reloaded on the previous file' : 'the reload on the previous file failed too';
    },
  };
}

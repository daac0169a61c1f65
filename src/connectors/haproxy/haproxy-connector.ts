/**
 * The `haproxy` connector: keeps one combined PEM (leaf, intermediates, key) on a host in step
 * with the Secret, and makes the running HAProxy serve it, by a Runtime API hot update (default)
 * or by a configuration test and reload.
 *
 * Idempotent on what the target holds: the file's bytes AND (runtime mode) what HAProxy says it
 * serves. Both current: zero writes, zero commands. Only the runtime behind: no write, just the
 * hot update (a crash after the write left the process behind). The file always moves first, so
 * a restart at any moment loads a certificate that was meant to be served.
 *
 * Any failure after the write restores the previous file, then puts the running HAProxy back on
 * it (abort the transaction, or reload again), and reports HAProxy's own words, redacted: the
 * payload holds the key, and nothing of it may reach status, Events or logs.
 */
import { X509Certificate } from 'node:crypto';
import { inspectPemFile, CertDeployerError, type Grant, type FileWrite, type Sandbox, type Connector, type DeployResult, retryable, terminal, type Deployment, parseMode, thumbprintSha1, toCombinedPem } from '@cert-deployer/connector-sdk';
import type { HaproxyConfig } from './config.ts';
import type { LoadFailure, LoadStrategy } from './load-strategy.ts';
import { createReloadStrategy } from './reload-strategy.ts';
import { createRuntimeStrategy } from './runtime-strategy.ts';
import { planHaproxy } from './haproxy-plan.ts';

/** The least grant: the one file, and the socket or the two commands. */
export function haproxyGrant(config: HaproxyConfig): Grant {
  return Object.freeze({
    read: [],
    write: [config.certificatePath],
    dial: config.runtimeApi ? [`unix:${config.runtimeApi.socketPath}`] : [],
    exec: config.reload ? [{ argv: config.reload.configTest }, { argv: config.reload.reload }] : [],
  });
}

function sameBytes(a: Uint8Array, text: string): boolean {
  const b = new TextEncoder().encode(text);
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function strategyFor(config: HaproxyConfig, sandbox: Sandbox, dep: Deployment): LoadStrategy {
  if (config.runtimeApi) {
    return createRuntimeStrategy({
      sandbox,
      certificatePath: config.certificatePath,
      socketPath: config.runtimeApi.socketPath,
      timeoutMs: config.runtimeApi.timeoutSeconds * 1000,
      want: { sha1: thumbprintSha1(dep), serial: new X509Certificate(dep.certificatePem).serialNumber, notAfter: dep.notAfter },
    });
  }
  const reload = config.reload;
  if (reload === undefined) throw terminal('the haproxy block needs exactly one of runtimeApi or reload');
  return createReloadStrategy({ sandbox, configTest: reload.configTest, reload: reload.reload, timeoutMs: reload.timeoutSeconds * 1000 });
}

/** Creates the connector for one target's validated configuration. */
export function createHaproxyConnector(config: HaproxyConfig): Connector {
  const grant = haproxyGrant(config);
  const path = config.certificatePath;
  const writeOptions = { mode: parseMode(config.mode, true), owner: config.owner, group: config.group };

  return {
    name: 'haproxy',
    capabilities: () => grant,

    async deploy(signal: AbortSignal, sandbox: Sandbox, dep: Deployment): Promise<DeployResult> {
      signal.throwIfAborted();
      const combined = toCombinedPem(dep, { includeRoot: config.includeRoot });
      const strategy = strategyFor(config, sandbox, dep);
      const current = await sandbox.readFile(path, { signal });
      const fileCurrent = current !== null && sameBytes(current, combined.reveal());
      const served = await strategy.serves(signal);
      const short = dep.fingerprint.slice(0, 12);
      if (fileCurrent && served) return { changed: false, message: `${path} already holds and serves ${short}` };

      let written: FileWrite | null = null;
      /** Restores the file (no signal: the undo must finish after a cancel), then HAProxy. */
      const undo = async (): Promise<string> => {
        let note = '';
        if (written !== null) {
          const w = written;
          note = await sandbox.restoreFile(w).then(
            () => 'previous file restored',
            () => `could not restore ${path}`,
          );
        }
        const previous = current === null ? null : new TextDecoder().decode(current);
        const back = await strategy.revert(previous, signal.aborted);
        return [note, back].filter((s) => s !== '').join('; ');
      };

      let failure: LoadFailure | null;
      try {
        if (!fileCurrent) written = await sandbox.writeFile(path, combined.reveal(), { ...writeOptions, signal });
        failure = await strategy.load(combined.reveal(), signal);
      } catch (err) {
        const after = await undo();
        if (written === null || after.startsWith('previous file restored')) throw err;
        const message = `deploy failed (${after}): ${err instanceof Error ? err.message : String(err)}`;
        throw err instanceof CertDeployerError && err.retryable ? retryable(message, err) : terminal(message, err);
      }
      if (failure !== null) {
        const after = await undo();
        const message = `HAProxy did not take the certificate for ${path} (${after}): ${failure.why}`;
        throw failure.retryable ? retryable(message) : terminal(message);
      }
      const what = fileCurrent ? `${path} already held ${short}; loaded it by ${strategy.summary}` : `wrote ${path} and loaded ${short} by ${strategy.summary}`;
      return { changed: true, message: what };
    },
    // The combined PEM starts with the leaf; its key block is never parsed or returned.
    inspect: (signal, sandbox) => inspectPemFile(signal, sandbox, path),
    /** Plan mode: see haproxy-plan.ts. */
    plan: (signal: AbortSignal, sandbox: Sandbox, dep: Deployment) => planHaproxy(config, signal, sandbox, dep),
  };
}

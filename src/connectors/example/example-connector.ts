/**
 * The `example` connector: the file-plus-reload shape of NGINX and Apache, built on the same
 * shared sequence they use (`applyServerFiles`: write → config test → reload → rollback).
 * Copy this folder to start a new connector; `packages/connector-sdk/README.md` explains the contract.
 *
 * TEACHING NOTES: the five rules every connector follows, and where this file keeps them.
 * 1. Declare the least grant (`capabilities()`): exactly the two files and exactly the
 *    commands (`serverGrant`). Anything else throws DeniedError. The conformance suite removes
 *    each item in turn and expects a DeniedError, so declare nothing you do not use.
 * 2. All I/O goes through the `sandbox` argument. Never import node:fs, node:child_process or
 *    a network module here (lint refuses it); import only `@cert-deployer/connector-sdk`.
 * 3. Idempotent on the content: delivery is at-least-once. `applyServerFiles` first reads what
 *    the target holds and returns `changed: false` with zero writes and zero commands when it
 *    already matches.
 * 4. Leave the target as you found it when you fail: `applyServerFiles` restores every file it
 *    replaced (newest first, even after a cancel) and reloads again when the reload itself ran,
 *    so the server keeps serving the previous certificate and a replay is never a false no-op.
 * 5. Errors are classified for you: a refused config test or reload is `terminal()`, a hung one
 *    `retryable()`, both quoting the server's output redacted; sandbox errors (DeniedError,
 *    unreachable, abort) pass through unchanged. Throw `terminal()`/`retryable()` yourself only
 *    for your own failures, and never put key material or a raw server reply in one.
 *
 * Keep the decision pure (`planExample`: what to write and run) and the I/O in one call, so
 * the plan is unit-testable without a host.
 */
import { applyServerFiles, inspectPemFile, planFiles, serverGrant, type Connector, type Deployment, type DeployResult, type ServerFilesPlan, planServerFiles } from '@cert-deployer/connector-sdk';
import type { ExampleConfig } from './config.ts';

/**
 * Pure: what the target should hold for `dep` (the chain, then the key, with the block's
 * owner and modes; `planFiles` calls `privateKey.reveal()` only on the way into the sandbox)
 * and the commands that make the server take it.
 */
export function planExample(config: ExampleConfig, dep: Deployment): ServerFilesPlan {
  const timeoutMs = config.commandTimeoutSeconds * 1000;
  return {
    files: planFiles(config, dep),
    configTest: config.configTest && { argv: config.configTest, timeoutMs },
    reload: { argv: config.reload, timeoutMs },
  };
}

/** Creates the connector for one target's validated configuration. */
export function createExampleConnector(config: ExampleConfig): Connector {
  // Rule 1. Built once and frozen, so capabilities() is pure: the same answer on every call.
  const grant = serverGrant([config.certificatePath, config.privateKeyPath], [...(config.configTest ? [config.configTest] : []), config.reload]);
  return {
    name: 'example',
    capabilities: () => grant,
    async deploy(signal: AbortSignal, sandbox, dep): Promise<DeployResult> {
      // Rules 2-5 live in the shared sequence; pass the signal so a cancel stops it.
      const r = await applyServerFiles(signal, sandbox, planExample(config, dep));
      return { changed: r.changed, message: r.message };
    },
    // Optional: what the target holds, for drift checks. Reads only; it runs in a read-only sandbox.
    inspect: (signal, sandbox) => inspectPemFile(signal, sandbox, config.certificatePath),
    // Plan mode: the read-only twin of the sequence above. It runs in a sandbox that refuses
    // every write, command and mutating request, so it may only read and predict.
    async plan(signal, sandbox, dep) {
      return planServerFiles(signal, sandbox, planExample(config, dep));
    },
  };
}

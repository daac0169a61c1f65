/**
 * The second half of the one target pipeline: given a prepared target, open its host, read the
 * credentials Secrets it references, build the checked sandbox (declared grant ∩ policy), and
 * run one connector call under a deadline on the injected clock. Deploy, undeploy, verify and
 * drift inspection (read-only) all go through here, so host, secrets, sandbox and deadline are
 * handled the same way.
 */
import type { DeployContext } from '@cert-deployer/connector-sdk';
import { ErrorCode, hasCode, SecretValue } from '@cert-deployer/connector-sdk';
import type { Clock } from '../../core/clock.ts';
import { DeadlineError, withTimeout } from '../../core/clock.ts';
import { createSandbox, readOnlySandbox } from '@cert-deployer/connector-sdk/sandbox';
import type { PolicyAccess } from '../policy/policy-access.ts';
import type { HostPool } from '../host-pool.ts';
import { inProcessRuntime, type ConnectorRuntime, type RuntimeCall } from './connector-runtime.ts';
import type { PreparedTarget } from './prepare-target.ts';

/** What a session needs from the controller: where the target lives and how to reach it. */
export interface TargetEnv {
  readonly namespace: string;
  /** The namespace's policies; each target's flat policy is resolved from it in prepare. */
  readonly access: PolicyAccess;
  readonly hosts: HostPool;
  readonly clock: Clock;
  readonly timeoutMs: number;
  /** Reads a referenced credentials Secret's data (`null` when missing). */
  readonly readSecret: (name: string) => Promise<Readonly<Record<string, string>> | null>;
  /** Where connector code runs (see connector-runtime.ts); in-process when omitted. */
  readonly runtime?: ConnectorRuntime | undefined;
}

/** The call a session runs: the runtime and the prepared, checked call for this target. */
export type SessionCall<T> = (runtime: ConnectorRuntime, call: RuntimeCall) => Promise<T>;

/** Worker failures keep their own code when the deadline ends the call: "killed, hung" says more than "timed out". */
const WORKER_CODES = [ErrorCode.WorkerTimeout, ErrorCode.WorkerMemory, ErrorCode.WorkerCrashed, ErrorCode.WorkerProtocol, ErrorCode.Confined];

/** Reads each referenced Secret, wrapping every value so it cannot reach a log by accident. */
export async function readSecrets(read: TargetEnv['readSecret'], names: readonly string[]): Promise<Map<string, Record<string, SecretValue>>> {
  const out = new Map<string, Record<string, SecretValue>>();
  for (const name of new Set(names)) {
    const data = await read(name);
    if (data) out.set(name, Object.fromEntries(Object.entries(data).map(([k, v]) => [k, new SecretValue(Buffer.from(v, 'base64').toString('utf8'))])));
  }
  return out;
}

/**
 * Runs `call` for `target`. Throws what the call (or the host) throws; when the session's own
 * deadline ended it, the error is a {@link DeadlineError} so callers can tell a timeout apart.
 */
export async function runSession<T>(target: PreparedTarget, env: TargetEnv, base: Pick<DeployContext, 'ownerId' | 'remoteId'>, signal: AbortSignal, call: SessionCall<T>, opts: { readonly readOnly?: boolean } = {}): Promise<T> {
  return withTimeout(env.clock, env.timeoutMs, signal, async (deadline) => {
    const host = await env.hosts.hostFor(env.namespace, target.host, deadline);
    const secrets = await readSecrets(env.readSecret, target.secretRefs);
    const sandbox = createSandbox({ grant: target.declared, policy: target.policy, host, clock: env.clock });
    try {
      const context: DeployContext = { ...base, secrets, allowAmbientIdentity: target.policy.ambientCloudIdentity === true, clock: env.clock };
      // A plugin target runs in the WASM tier: Extism in this process is its confinement (a
      // worker process has no plugin catalog to re-create it from). Drift inspection: the same
      // grant, wrapped here in this process whatever the runtime, so that nothing but reads gets through.
      const runtime = target.plugin !== undefined ? inProcessRuntime : (env.runtime ?? inProcessRuntime);
      return await call(runtime, {
        affinity: env.namespace, connectorName: target.connectorName, config: target.config, connector: target.connector, sandbox: opts.readOnly ? readOnlySandbox(sandbox) : sandbox, context, signal: deadline,
      });
    } catch (err) {
      // A call cut short by our deadline reports the deadline, not whatever the abort broke.
      const workerFailure = WORKER_CODES.some((code) => hasCode(err, code));
      if (deadline.aborted && deadline.reason instanceof DeadlineError && !signal.aborted && !workerFailure) throw deadline.reason;
      throw err;
    } finally {
      await sandbox.close();
    }
  }, `${target.connectorName} call for target ${target.name}`);
}

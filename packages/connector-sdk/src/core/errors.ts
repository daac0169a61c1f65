/**
 * The one error base of the project, with stable codes (the undici model). Every layer's own
 * error classes extend it and live next to that layer. `instanceof` works across
 * duplicate copies of this package because the check looks for a global-registry symbol,
 * not for a class identity; callers may also switch on `err.code`.
 */

const BRAND = Symbol.for('certdeployer.error');

/** Stable codes. Never rename one: users match on them in logs and alerts. */
export const ErrorCode = {
  Denied: 'CD_ERR_DENIED',
  InvalidCertificate: 'CD_ERR_INVALID_CERTIFICATE',
  Exec: 'CD_ERR_EXEC',
  Timeout: 'CD_ERR_TIMEOUT',
  Unreachable: 'CD_ERR_UNREACHABLE',
  HostKeyMismatch: 'CD_ERR_HOST_KEY_MISMATCH',
  Connector: 'CD_ERR_CONNECTOR',
  /** A Kubernetes API request failed; `statusCode` on the error says how. */
  KubeApi: 'CD_ERR_KUBE_API',
  /** This replica stopped being the leader; all leader-only work must stop. */
  LeadershipLost: 'CD_ERR_LEADERSHIP_LOST',
  /** An optimistic-concurrency write kept conflicting after every allowed retry. */
  Conflict: 'CD_ERR_CONFLICT',
  /** A watch delivered nothing (not even a bookmark) for too long and is being restarted. */
  StaleWatch: 'CD_ERR_STALE_WATCH',
  /** A file operation on a remote host failed; `fsCode` holds the errno name (`ENOENT`, `EACCES`, …). */
  HostFs: 'CD_ERR_HOST_FS',
  /** A host refused a file operation below a grant root as unsafe (symlink, hard link, …); the sandbox turns it into `CD_ERR_DENIED`. */
  UnsafePath: 'CD_ERR_UNSAFE_PATH',
  /** The controller's flags or environment are invalid; the message names the flag (exit code 2). */
  Config: 'CD_ERR_CONFIG',
  /** No usable kubeconfig outside a cluster; the message says what to do (exit code 2). */
  Kubeconfig: 'CD_ERR_KUBECONFIG',
  /** A command-line tool was called wrongly (exit code 2). */
  Usage: 'CD_ERR_USAGE',
  /** A confined connector tried something the runtime refuses (file, network, process or thread outside the Sandbox). */
  Confined: 'CD_ERR_CONFINED',
  /** A connector worker process died during a call (crash, exit, signal). */
  WorkerCrashed: 'CD_ERR_WORKER_CRASHED',
  /** A connector worker went over its memory limit (V8 heap or resident size) and was stopped. */
  WorkerMemory: 'CD_ERR_WORKER_MEMORY',
  /** A connector worker did not finish its call before the call's deadline and was killed. */
  WorkerTimeout: 'CD_ERR_WORKER_TIMEOUT',
  /** A connector worker sent a message outside the IPC protocol (wrong version or shape). */
  WorkerProtocol: 'CD_ERR_WORKER_PROTOCOL',
  /** A WASM plugin trapped, ran past its time limit, returned something the ABI does not allow, or could not be started. */
  Plugin: 'CD_ERR_PLUGIN',
  /** A WASM plugin file was refused at load (not a file, too large, bad manifest, imports outside the ABI); it is not loaded. */
  PluginLoad: 'CD_ERR_PLUGIN_LOAD',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base of every error this project throws on purpose. `retryable` drives backoff decisions. */
export class CertDeployerError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly [BRAND] = true;

  constructor(code: ErrorCode, message: string, opts: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'CertDeployerError';
    this.code = code;
    this.retryable = opts.retryable ?? false;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** True when `err` is any CertDeployerError carrying `code`, whichever copy of the package made it. */
export function hasCode(err: unknown, code: ErrorCode): err is CertDeployerError {
  return err instanceof CertDeployerError && err.code === code;
}

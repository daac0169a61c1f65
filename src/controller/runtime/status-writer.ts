/**
 * Writes an object's `/status` subresource with optimistic concurrency, the way client-go's
 * `retry.RetryOnConflict` is used around `UpdateStatus`: PUT the status at the resourceVersion
 * we computed it from; on 409 re-read, re-apply the same mutation to the fresh object, and try
 * again a bounded number of times with jittered backoff. A mutation that changes nothing skips
 * the write entirely (no-op status writes only wake up every other watcher).
 */
import { backoffDelay } from '../../core/backoff.ts';
import { realClock, type Clock } from '../../core/clock.ts';
import { CertDeployerError, ErrorCode } from '@cert-deployer/connector-sdk/sandbox';
import { accessOf, type KubeConnection } from './kube-access.ts';
import { isConflict } from './kube-errors.ts';
import { kubeRequest, objectPath } from './kube-rest.ts';

/** Read and status-replace for one object. */
export interface StatusClient<T> {
  get(signal?: AbortSignal): Promise<T>;
  /** PUT `/status`; must send `obj.metadata.resourceVersion` so a concurrent write yields 409. */
  replaceStatus(obj: T, signal?: AbortSignal): Promise<T>;
}

/** Retry shape; defaults are client-go's `retry.DefaultRetry` (5 steps, 10 ms, jitter 0.1). */
export interface ConflictRetry {
  steps?: number;
  initialMs?: number;
  factor?: number;
  maxMs?: number;
  jitter?: number;
}

/** Options for {@link writeStatus}. */
export interface WriteStatusOptions<T> {
  client: StatusClient<T>;
  /**
   * Applies the desired status to `obj` (a private copy; mutate it freely) and returns whether
   * anything changed. Runs again on every retry against the freshly read object, so it must
   * compute from `obj`, not from state captured earlier.
   */
  mutate(obj: T): boolean;
  /** Start from this copy (e.g. from the informer cache) instead of reading first. */
  current?: T;
  retry?: ConflictRetry;
  clock?: Clock;
  random?: () => number;
  signal?: AbortSignal;
}

/** Outcome: the object as stored afterwards, whether a write happened, and how many tries. */
export interface WriteStatusResult<T> {
  object: T;
  written: boolean;
  attempts: number;
}

/** Every attempt conflicted. Retryable: the reconcile should be requeued. */
export class ConflictRetriesExhaustedError extends CertDeployerError {
  readonly attempts: number;
  constructor(attempts: number, cause: unknown) {
    super(ErrorCode.Conflict, `status write still conflicted after ${attempts} attempts; another writer keeps updating the object`, { retryable: true, cause });
    this.name = 'ConflictRetriesExhaustedError';
    this.attempts = attempts;
  }
}

/** See the module comment. Errors other than 409 are thrown as they are. */
export async function writeStatus<T>(opts: WriteStatusOptions<T>): Promise<WriteStatusResult<T>> {
  const steps = Math.max(1, Math.floor(opts.retry?.steps ?? 5));
  const policy = { initialMs: opts.retry?.initialMs ?? 10, factor: opts.retry?.factor ?? 1, maxMs: opts.retry?.maxMs ?? 10_000, jitter: opts.retry?.jitter ?? 0.1 };
  const clock = opts.clock ?? realClock;
  let current = opts.current ?? (await opts.client.get(opts.signal));
  for (let attempt = 1; ; attempt++) {
    const next = structuredClone(current);
    if (!opts.mutate(next)) return { object: current, written: false, attempts: attempt };
    try {
      return { object: await opts.client.replaceStatus(next, opts.signal), written: true, attempts: attempt };
    } catch (err) {
      if (!isConflict(err)) throw err;
      if (attempt >= steps) throw new ConflictRetriesExhaustedError(attempt, err);
    }
    await clock.sleep(backoffDelay(attempt, policy, opts.random), opts.signal);
    current = await opts.client.get(opts.signal);
  }
}

/** Identifies a custom object; omit `namespace` for cluster-scoped kinds. */
export interface CustomObjectRef {
  group: string;
  version: string;
  plural: string;
  namespace?: string;
  name: string;
}

/** {@link StatusClient} for a custom resource with the status subresource enabled. */
export function customObjectStatusClient<T extends object>(kc: KubeConnection, ref: CustomObjectRef): StatusClient<T> {
  const access = accessOf(kc);
  return {
    get: (signal) => kubeRequest<T>(access, 'GET', objectPath(ref), { signal }),
    replaceStatus: (obj, signal) => kubeRequest<T>(access, 'PUT', objectPath({ ...ref, subresource: 'status' }), { body: obj, signal }),
  };
}

/**
 * The three Lease operations leader election needs, behind an interface so the elector's
 * loop is independent of client-node. The real implementation speaks `coordination.k8s.io/v1`
 * and maps the spec to a {@link LeaderRecord}; all writes carry the read resourceVersion, so
 * a concurrent writer makes ours fail with 409 instead of silently overwriting it.
 */
import type { V1Lease } from '@kubernetes/client-node';
import { accessOf, type KubeConnection } from './kube-access.ts';
import { isNotFound } from './kube-errors.ts';
import { kubeRequest, MicroTime, objectPath } from './kube-rest.ts';
import type { LeaderRecord } from './lease-decision.ts';

/** A Lease as read or written: its leader record and the resourceVersion for the next write. */
export interface LeaseState {
  record: LeaderRecord;
  resourceVersion: string;
}

/** Lease storage as leader election sees it. Every method honours `signal`. */
export interface LeaseClient {
  /** The Lease, or undefined when it does not exist. */
  get(signal: AbortSignal): Promise<LeaseState | undefined>;
  /** Creates the Lease; rejects with a 409 error if someone created it first. */
  create(record: LeaderRecord, signal: AbortSignal): Promise<LeaseState>;
  /** Replaces the Lease spec if it is still at `resourceVersion`; rejects with a 409 otherwise. */
  update(record: LeaderRecord, resourceVersion: string, signal: AbortSignal): Promise<LeaseState>;
}

function toMs(t: unknown): number | undefined {
  if (t === undefined || t === null) return undefined;
  const ms = t instanceof Date ? t.getTime() : Date.parse(String(t));
  return Number.isFinite(ms) ? ms : undefined;
}

/** Spec → record. Missing fields read as "nobody holds it" so a blank Lease is acquirable. */
export function recordFromLease(lease: V1Lease): LeaderRecord {
  const s = lease.spec ?? {};
  return {
    holderIdentity: s.holderIdentity ?? '',
    leaseDurationSeconds: s.leaseDurationSeconds ?? 0,
    acquireTimeMs: toMs(s.acquireTime),
    renewTimeMs: toMs(s.renewTime),
    leaderTransitions: s.leaseTransitions ?? 0,
  };
}

/** Record → spec. MicroTime must be serialized with 6 fractional digits or the server rejects it. */
function specFromRecord(r: LeaderRecord): V1Lease['spec'] {
  return {
    holderIdentity: r.holderIdentity,
    leaseDurationSeconds: r.leaseDurationSeconds,
    ...(r.acquireTimeMs !== undefined ? { acquireTime: new MicroTime(r.acquireTimeMs) } : {}),
    ...(r.renewTimeMs !== undefined ? { renewTime: new MicroTime(r.renewTimeMs) } : {}),
    leaseTransitions: r.leaderTransitions,
  };
}

function stateOf(lease: V1Lease): LeaseState {
  return { record: recordFromLease(lease), resourceVersion: lease.metadata?.resourceVersion ?? '' };
}

/**
 * {@link LeaseClient} for the Lease `namespace/name` through `kc`. Updates are applied on top
 * of the last Lease object seen, so labels and annotations others put on it survive.
 */
export function coordinationLeaseClient(kc: KubeConnection, namespace: string, name: string): LeaseClient {
  const access = accessOf(kc);
  const ref = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespace };
  let last: V1Lease | undefined;
  const remember = (lease: V1Lease): LeaseState => {
    last = lease;
    return stateOf(lease);
  };
  return {
    async get(signal) {
      try {
        return remember(await kubeRequest<V1Lease>(access, 'GET', objectPath({ ...ref, name }), { signal }));
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async create(record, signal) {
      const body: V1Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: specFromRecord(record) };
      return remember(await kubeRequest<V1Lease>(access, 'POST', objectPath(ref), { body, signal }));
    },
    async update(record, resourceVersion, signal) {
      const body: V1Lease = {
        ...last,
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { ...last?.metadata, name, namespace, resourceVersion },
        spec: { ...last?.spec, ...specFromRecord(record) },
      };
      return remember(await kubeRequest<V1Lease>(access, 'PUT', objectPath({ ...ref, name }), { body, signal }));
    },
  };
}

/**
 * The confined worker runtime's generic half: Node permission-model worker processes, a warm
 * pool, and the versioned IPC protocol through which a worker's Sandbox calls are checked and
 * performed by the operator. It knows nothing of connectors or credentials; the
 * connector-aware half (the worker's entry, the call codec) lives in `src/connector-worker`.
 */
export { appReadRoots, appRoot } from './app-read-roots.ts';
export { serveCalls, type CallHandler } from './child-endpoint.ts';
export { ConfinedPool, type ConfinedPoolOptions } from './confined-pool.ts';
export { FORBIDDEN_FLAGS, permissionFlags, type PermissionFlagOptions } from './permission-flags.ts';
export { PROTOCOL_VERSION } from './protocol.ts';
export { accessDenial, confinedError, WorkerError } from './worker-errors.ts';

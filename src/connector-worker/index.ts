/**
 * The connector-aware half of the worker runtime: the worker's entry (`child-main.ts`, loaded
 * only inside a worker), the call codec (the one place key material is encoded for the
 * channel) and the runtime the controller composes in.
 */
export { decodeCall, encodeCall, type ConnectorCall } from './call-codec.ts';
export { fileImports, WORKER_DEFAULTS, WorkerConnectorRuntime, type WorkerCall, type WorkerRuntimeOptions } from './worker-runtime.ts';

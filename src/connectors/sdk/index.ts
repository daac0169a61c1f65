/**
 * The SDK surface: everything a connector may import, in one place. A connector folder
 * imports only this module (lint enforces it), so what connectors can reach is exactly what
 * is listed here: the connector contract, the credential model and output formats, the
 * shared config atoms and server write → reload → rollback sequence, and the part of the
 * sandbox contract (`src/sandbox/index.ts`) a connector calls or matches on. Hosts, the
 * checked-sandbox factory and policy intersection stay out of reach: those are the
 * controller's to wire.
 */
export * from './connector.ts';
export * from './connector-error.ts';
export * from './deployment.ts';
export * from './file-plan.ts';
export * from './host-config.ts';
export * from './redact.ts';
export * from './server-files.ts';
export * from './server-grant.ts';
export * from './credential/index.ts';
export * from './formats/index.ts';
export * from './formats/material.ts';
export {
  CertDeployerError,
  DeniedError,
  ErrorCode,
  hasCode,
  isDenied,
  canonicalDialAddress,
  EMPTY_GRANT,
  type ArgTemplate,
  type ExecRule,
  type Grant,
  type Policy,
  type ExecOptions,
  type ExecResult,
  type FileWrite,
  type FileWriteOptions,
  type HttpRequest,
  type HttpResponse,
  type Sandbox,
  type SocketSendOptions,
  type TlsProbeOptions,
  type TlsProbeResult,
} from '../../sandbox/index.ts';

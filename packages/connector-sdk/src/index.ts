/**
 * The SDK surface: everything a connector may import, in one place. A connector folder
 * imports only this module (lint enforces it), so what connectors can reach is exactly what
 * is listed here: the connector contract, the credential model and output formats, the
 * shared config atoms and server write → reload → rollback sequence, and the part of the
 * sandbox contract a connector calls or matches on, plus the one error base and clock. Hosts,
 * the checked-sandbox factory and policy intersection live in `./sandbox` (the runtime the
 * operator and the conformance suite wire), and this barrel does not load them: importing
 * the SDK pulls in no ssh2, undici or file-system code.
 */
export * from './connector.ts';
export * from './connector-error.ts';
export * from './deployment.ts';
export * from './file-plan.ts';
export * from './plan.ts';
export * from './host-config.ts';
export * from './inspect.ts';
export * from './redact.ts';
export * from './server-files.ts';
export * from './server-grant.ts';
export * from './time.ts';
export * from './credential/index.ts';
export * from './formats/index.ts';
export * from './formats/material.ts';
export { CertDeployerError, ErrorCode, hasCode } from './core/errors.ts';
export { DeadlineError, realClock, sleepWith, withTimeout, type Clock, type TimerHandle } from './core/clock.ts';
export { DeniedError, isDenied } from './sandbox/errors.ts';
export { canonicalDialAddress } from './sandbox/check/host-check.ts';
export { EMPTY_GRANT, type ArgTemplate, type ExecRule, type Grant, type Policy } from './sandbox/grant.ts';
export type {
  ExecOptions,
  ExecResult,
  FileWrite,
  FileWriteOptions,
  HttpRequest,
  HttpResponse,
  Sandbox,
  SocketSendOptions,
  TlsProbeOptions,
  TlsProbeResult,
} from './sandbox/sandbox.ts';

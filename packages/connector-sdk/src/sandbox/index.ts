/**
 * The public surface of the sandbox: what the controller wires (createSandbox, hosts,
 * effectiveGrant), what cloud connectors route SDK traffic through (createGrantedDispatcher),
 * and the errors and grant types everyone matches on. Internals stay importable by path for
 * tests, but only these names are a contract.
 */
export { createSandbox, type CheckedSandbox, type CreateSandboxOptions } from './checked-sandbox.ts';
export { effectiveGrant, intersectExec, intersectHosts, intersectRoots } from './effective-grant.ts';
export { LocalHost, type LocalHostOptions } from './host/local-host.ts';
export { SshHost, type SshHostOptions } from './host/ssh-host.ts';
export type { AtomicWriteOptions, Host, HostStat } from './host/host.ts';
export { createGrantedDispatcher, dialGrantInterceptor, type GrantedDispatcherOptions } from './net/granted-dispatcher.ts';
export { realClock, withTimeout, type Clock } from '../core/clock.ts';
export { isPathWithin } from './check/path-check.ts';
export { isDialAllowed, canonicalDialAddress } from './check/host-check.ts';
export { DEFAULT_TOKEN_PATTERN, matchExecRule } from './check/argv-check.ts';
export { CertDeployerError, DeniedError, ErrorCode, hasCode, isDenied } from './errors.ts';
export { EMPTY_GRANT, type ArgTemplate, type ExecRule, type Grant, type Policy } from './grant.ts';
export type * from './sandbox.ts';

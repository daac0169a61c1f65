/**
 * `@cert-deployer/connector-sdk/sandbox`: the sandbox runtime. What the controller wires
 * (createSandbox, hosts, effectiveGrant), what cloud connectors' SDK traffic is routed through
 * (createGrantedDispatcher), and the errors and grant types everyone matches on. It ships in
 * this package so the conformance suite, in a third party's project too, enforces grants with
 * the operator's own code. Internals stay importable by path for this repo's tests, but only
 * these names are a contract.
 */
export { createSandbox, type CheckedSandbox, type CreateSandboxOptions } from './checked-sandbox.ts';
export { isReadOnlyRequest, readOnlySandbox, type ReadOnlySandbox } from './read-only-sandbox.ts';
export { planSandbox, isReadMethod, type PlanSandbox, type PlanSandboxOptions, type DeniedAttempts } from './plan-sandbox.ts';
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

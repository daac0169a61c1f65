/**
 * The errors a connector may throw or match on, from one place of the SDK surface: the
 * project's one base and stable codes (`core/errors.ts`), ErrDenied, and ConnectorError.
 */
export { CertDeployerError, ErrorCode, hasCode } from './core/errors.ts';
export { DeniedError, isDenied } from './sandbox/errors.ts';
export { ConnectorError, retryable, terminal } from './connector-error.ts';

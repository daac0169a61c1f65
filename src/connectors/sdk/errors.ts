/**
 * The errors a connector may throw or match on, from one place of the SDK surface: the
 * project's base and stable codes (`src/core/errors.ts`, via the sandbox contract), ErrDenied,
 * and ConnectorError.
 */
export { CertDeployerError, DeniedError, ErrorCode, hasCode, isDenied } from '../../sandbox/index.ts';
export { ConnectorError, retryable, terminal } from './connector-error.ts';

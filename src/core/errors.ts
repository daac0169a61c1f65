/**
 * The one error base of the project lives in the connector SDK package
 * (`packages/connector-sdk/src/core/errors.ts`), because connectors, the sandbox and the
 * operator must all throw and match the same class and codes. This module is the operator's
 * name for it, so `src/core/errors.ts` stays "the one error base" for code in `src/`.
 */
export { CertDeployerError, ErrorCode, hasCode } from '@cert-deployer/connector-sdk';

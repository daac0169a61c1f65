/**
 * Redaction of key material in text lives in the connector SDK package's core
 * (`packages/connector-sdk/src/core/redact.ts`), beside the one error base and clock, because
 * connectors, the sandbox runtime and the operator must redact alike. This module is the
 * operator's name for it.
 */
export { redactSecrets } from '@cert-deployer/connector-sdk';

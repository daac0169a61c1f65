/**
 * Redaction lives in the core layer (`./core/redact.ts`, next to the one error base and clock),
 * where the sandbox runtime and the operator use it too; the SDK root re-exports it under the
 * same name, so connectors and third-party code written against `redactSecrets` keep working.
 */
export { redactSecrets } from './core/redact.ts';

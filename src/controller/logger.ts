/**
 * pino JSON logs with redaction of every field that could carry secrets, as defence in depth:
 * the code never logs key material on purpose, and these paths catch an accident.
 */
import pino, { type Logger } from 'pino';

export const REDACT_PATHS = [
  'privateKey', '*.privateKey', 'key', '*.key', 'data', '*.data', 'secret.data', 'stringData', '*.stringData',
  'password', '*.password', 'passphrase', '*.passphrase', 'token', '*.token', 'authorization', '*.authorization', '*.headers.authorization',
];

/** Creates the process logger; `destination` lets tests capture output. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { app: 'cert-deployer' }, redact: { paths: REDACT_PATHS, censor: '[REDACTED]' } }, destination);
}

/**
 * pino logs as Kubernetes log tooling expects them: one JSON object per line with an ISO 8601
 * `time` and the level's name (`"level":"info"`), or the same records as text for a human
 * (`--log-format text`, see log-text-format.ts). Every field that could carry secrets is
 * redacted, as defence in depth: the code never logs key material on purpose, and these paths
 * catch an accident. Redaction runs before formatting, so it holds for both formats.
 */
import pino, { type Logger } from 'pino';
import { formatTextLine } from './log-text-format.ts';

export const REDACT_PATHS = [
  'privateKey', '*.privateKey', 'key', '*.key', 'data', '*.data', 'secret.data', 'stringData', '*.stringData',
  'password', '*.password', 'passphrase', '*.passphrase', 'token', '*.token', 'authorization', '*.authorization', '*.headers.authorization',
];

export type LogFormat = 'json' | 'text';

/** Where records go; `destination` lets tests capture output. */
export interface LoggerOptions {
  readonly format?: LogFormat;
  readonly destination?: pino.DestinationStream;
}

/** Creates the process logger. */
export function createLogger(level: string, opts: LoggerOptions | pino.DestinationStream = {}): Logger {
  const o: LoggerOptions = 'write' in opts ? { destination: opts } : opts;
  const out = o.destination ?? pino.destination({ dest: 1, sync: true });
  const stream: pino.DestinationStream = o.format === 'text' ? { write: (line: string) => void out.write(formatTextLine(line)) } : out;
  return pino({
    level,
    base: { app: 'cert-deployer' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
  }, stream);
}

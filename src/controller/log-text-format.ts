/**
 * `--log-format text`: pino's JSON records rewritten for a human at a terminal, without a
 * dependency (pino-pretty is not one of ours). A record becomes
 * `2026-12-04T18:34:43.123Z INFO  deploy succeeded deployment=web/site target=edge-1 changed=true`.
 * Pure: one serialized record in, one line out; a line that is not JSON passes through.
 */

const OMIT = new Set(['time', 'level', 'msg', 'app', 'pid', 'hostname']);

/** Quotes a value only when it would otherwise be ambiguous (spaces, quotes, `=`, empty). */
function fieldValue(v: unknown): string {
  const text = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  return typeof v === 'string' && (text === '' || /[\s"=]/.test(text)) ? JSON.stringify(text) : text;
}

/** Formats one pino JSON line (with or without its trailing newline) as text ending in '\n'. */
export function formatTextLine(line: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) return line.endsWith('\n') ? line : `${line}\n`;
  const level = String(rec.level ?? '').toUpperCase().padEnd(5);
  const fields = Object.entries(rec).filter(([k]) => !OMIT.has(k)).map(([k, v]) => `${k}=${fieldValue(v)}`);
  const msg = typeof rec.msg === 'string' ? rec.msg.replace(/\n/g, '\\n') : '';
  return `${[String(rec.time ?? ''), level, msg, ...fields].filter((p) => p !== '').join(' ')}\n`;
}

/**
 * Owner and group names to numeric ids by parsing passwd(5) and group(5) text. The parsing is
 * pure so the SSH host can feed it the remote files; numbers pass through unchanged. We parse
 * the files instead of calling `id`/`getent` so no extra command has to be granted.
 */
import { CertDeployerError, ErrorCode } from '../errors.ts';

/** One `name:...:id:...` database, name → id. */
export type IdTable = ReadonlyMap<string, number>;

/** Parses passwd- or group-format text: field 0 is the name, field 2 the numeric id. */
export function parseIdTable(text: string): IdTable {
  const table = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.length === 0 || line.startsWith('#')) continue;
    const fields = line.split(':');
    const name = fields[0];
    const id = fields[2];
    if (name === undefined || name === '' || id === undefined || !/^[0-9]+$/.test(id)) continue;
    if (!table.has(name)) table.set(name, Number(id));
  }
  return table;
}

const NUMERIC = /^[0-9]+$/;
const MAX_ID = 0xffff_fffe;

/** True when `value` is a name that needs the account table (not a number or numeric string). */
export function isIdName(value: string | number): value is string {
  return typeof value === 'string' && !NUMERIC.test(value);
}

/**
 * Resolves a user or group given as a number, a numeric string or a name (looked up in
 * `table`). Unknown names and out-of-range numbers are a typed error naming what was wrong.
 */
export function resolveId(value: string | number, kind: 'user' | 'group', table: IdTable): number {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value <= MAX_ID) return value;
    throw new CertDeployerError(ErrorCode.Connector, `invalid ${kind} id ${String(value)}`);
  }
  if (NUMERIC.test(value)) return resolveId(Number(value), kind, table);
  const id = table.get(value);
  if (id === undefined) throw new CertDeployerError(ErrorCode.Connector, `unknown ${kind} ${JSON.stringify(value)} on the host`);
  return id;
}

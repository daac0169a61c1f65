/**
 * Everything a connector hands back that an operator could end up reading: the result (as
 * JSON and as `util.inspect` prints it), and each error's message, stack, JSON and inspection
 * (causes included, as loggers print them). Key hygiene checks these for key material.
 */
import { inspect } from 'node:util';

const INSPECT = { depth: 12, showHidden: true, getters: true } as const;

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch (err) {
    return `unserialisable: ${String(err)}`;
  }
}

/** The texts a logger or status writer could produce from `value` (a result or an error). */
export function surfacesOf(value: unknown): string[] {
  const out = [safeJson(value), inspect(value, INSPECT)];
  let cur: unknown = value;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 8; depth++) {
    if (cur instanceof Error) out.push(cur.message, cur.stack ?? '', String(cur));
    cur = (cur as { cause?: unknown }).cause;
  }
  return out;
}

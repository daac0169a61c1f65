/**
 * A short, stable hash of one target's spec (keys sorted), stored in its status entry. It is
 * the per-target "generation observed": a change to one target's block redeploys that target
 * only, and a no-op edit elsewhere in the object redeploys nothing.
 */
import { createHash } from 'node:crypto';

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  }
  return v;
}

/** 16 hex chars of SHA-256 over the canonical JSON of `target`. */
export function targetSpecHash(target: unknown): string {
  return createHash('sha256').update(JSON.stringify(canonical(target))).digest('hex').slice(0, 16);
}

/**
 * Pure decision for a client-ssl profile: does its certKeyChain already use this deployment's
 * objects (a replay: change nothing), and if not, what should the whole certKeyChain array be?
 *
 * iControl REST replaces arrays wholesale on PATCH, so the plan returns every entry: the other
 * entries (a profile holds one per key type: RSA, ECDSA, DSA) unchanged, and the managed entry
 * with only cert, key and chain swapped. Its other settings (OCSP stapling, usage, …) stay.
 */
import { terminal } from '@cert-deployer/connector-sdk';

/** One certKeyChain entry as iControl REST returns it (extra attributes kept as they are). */
export interface CertKeyChainEntry {
  readonly name?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly chain?: string;
  readonly [attribute: string]: unknown;
}

/** Full paths the profile should reference; `chain: null` means no chain object. */
export interface DesiredObjects {
  readonly cert: string;
  readonly key: string;
  readonly chain: string | null;
}

export type ProfilePlan =
  | { readonly kind: 'current'; readonly entryName: string }
  | {
      readonly kind: 'swap';
      readonly entryName: string;
      /** The complete certKeyChain to PATCH. */
      readonly certKeyChain: readonly CertKeyChainEntry[];
      /** Full paths the replaced entry referenced (deletion candidates once the swap succeeded). */
      readonly previous: readonly string[];
    };

/** Entry name used when the profile has no certKeyChain entry at all. */
export const NEW_ENTRY_NAME = 'default';

/** `chain` as a path or null: BIG-IP writes a missing chain as absent, "" or "none". */
export function chainOf(entry: CertKeyChainEntry): string | null {
  return typeof entry.chain === 'string' && entry.chain !== '' && entry.chain !== 'none' ? entry.chain : null;
}

/** The certKeyChain array of a profile response, validated enough to plan on. */
export function certKeyChainOf(profile: unknown, profilePath: string): CertKeyChainEntry[] {
  const raw = (profile as { certKeyChain?: unknown } | null | undefined)?.certKeyChain;
  if (raw === undefined) return [];
  if (!Array.isArray(raw) || !raw.every((e) => typeof e === 'object' && e !== null)) {
    throw terminal(`client-ssl profile ${profilePath}: certKeyChain is not a list of entries`);
  }
  return raw as CertKeyChainEntry[];
}

/** Which entry this target manages: the named one, or the only one, or a new one when there is none. */
export function pickEntry(entries: readonly CertKeyChainEntry[], wanted: string | undefined, profilePath: string): number {
  if (wanted !== undefined) {
    const i = entries.findIndex((e) => e.name === wanted);
    if (i < 0) throw terminal(`client-ssl profile ${profilePath} has no certKeyChain entry named ${JSON.stringify(wanted)} (it has: ${entries.map((e) => JSON.stringify(e.name)).join(', ') || 'none'})`);
    return i;
  }
  if (entries.length <= 1) return 0;
  throw terminal(`client-ssl profile ${profilePath} has ${entries.length} certKeyChain entries (${entries.map((e) => JSON.stringify(e.name)).join(', ')}): set certKeyChainName to the one to replace`);
}

/** An entry without its read-only `…Reference` links, which a PATCH does not take. */
function withoutLinks(entry: CertKeyChainEntry): CertKeyChainEntry {
  return Object.fromEntries(Object.entries(entry).filter(([k]) => !k.endsWith('Reference')));
}

/** Attributes that belong to the entry, not to the replaced objects (links, the old key's passphrase). */
function carriedOver(entry: CertKeyChainEntry): Record<string, unknown> {
  return Object.fromEntries(Object.entries(withoutLinks(entry)).filter(([k]) => k !== 'passphrase' && k !== 'cert' && k !== 'key' && k !== 'chain'));
}

/** Plans the swap of `profile`'s managed entry to `desired`. Throws terminal errors for ambiguous profiles. */
export function planProfile(profile: unknown, desired: DesiredObjects, profilePath: string, certKeyChainName?: string): ProfilePlan {
  const entries = certKeyChainOf(profile, profilePath);
  const index = pickEntry(entries, certKeyChainName, profilePath);
  const current = entries[index];
  const entryName = typeof current?.name === 'string' ? current.name : (certKeyChainName ?? NEW_ENTRY_NAME);
  if (current !== undefined && current.cert === desired.cert && current.key === desired.key && chainOf(current) === desired.chain) {
    return { kind: 'current', entryName };
  }
  const swapped: CertKeyChainEntry = {
    ...(current === undefined ? {} : carriedOver(current)),
    name: entryName,
    cert: desired.cert,
    key: desired.key,
    // An old chain must be cleared explicitly; with neither, leave the attribute out.
    ...(desired.chain !== null ? { chain: desired.chain } : current !== undefined && chainOf(current) !== null ? { chain: 'none' } : {}),
  };
  const certKeyChain = current === undefined ? [swapped] : entries.map((e, i) => (i === index ? swapped : withoutLinks(e)));
  const previous = current === undefined ? [] : [current.cert, current.key, chainOf(current)].filter((p): p is string => typeof p === 'string' && p !== '');
  return { kind: 'swap', entryName, certKeyChain, previous };
}

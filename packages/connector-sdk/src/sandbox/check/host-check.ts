/**
 * Pure dial decisions. A dial grant names exact endpoints: `host:port`, `[v6]:port` or
 * `unix:/abs/path`. There is no wildcard and no suffix matching, so a grant for
 * `vault.internal:443` never covers `vault.internal.attacker.example:443` (a bug in the prior
 * art). Addresses are compared in one canonical spelling: lowercase names, compressed IPv6,
 * lexically normal socket paths.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { normalizeAbsolutePath } from './path-check.ts';

/** A parsed dial address. `host` of a v6 address carries its brackets, as in a URL. */
export type DialAddress =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string };

/** Stable reasons an address string is not a usable dial address. */
export const AddressRejection = {
  NotString: 'address is not a string',
  Url: 'expected host:port, not a URL',
  Userinfo: 'userinfo (user@) is not allowed in an address',
  MissingPort: 'address has no :port',
  BadPort: 'port must be a decimal number from 1 to 65535 without leading zeros',
  BadHost: 'host is not a DNS name, an IPv4 address or a bracketed IPv6 address',
  BadUnix: 'unix socket address must be unix:/absolute/path',
} as const;

export type ParsedAddress = { readonly ok: true; readonly address: DialAddress } | { readonly ok: false; readonly reason: string };

const UNIX_PREFIX = 'unix:';
const PORT = /^[1-9][0-9]{0,4}$/;
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
const NUMERIC_LABEL = /^(?:[0-9]+|0x[0-9a-f]*)$/;

function parsePort(text: string): number | null {
  if (!PORT.test(text)) return null;
  const port = Number(text);
  return port <= 65535 ? port : null;
}

/** Lowercases and validates a DNS name or IPv4 literal; `null` when it is neither. */
function parseName(raw: string): string | null {
  const host = raw.toLowerCase();
  if (isIPv4(host)) return host;
  const body = host.endsWith('.') ? host.slice(0, -1) : host;
  if (body.length === 0 || body.length > 253) return null;
  const labels = body.split('.');
  if (!labels.every((l) => LABEL.test(l))) return null;
  // `127.1` or `0x7f.1` is an IPv4 address to inet_aton, not a name: refuse the ambiguity.
  if (NUMERIC_LABEL.test(labels[labels.length - 1] ?? '')) return null;
  return host;
}

/** Canonical bracketed form of an IPv6 literal (`[::1]`), or `null`. Zone ids are refused. */
function parseV6(inner: string): string | null {
  if (inner.includes('%') || !isIPv6(inner)) return null;
  return new URL(`http://[${inner}]/`).hostname;
}

/**
 * Parses one dial address. Refuses URLs, userinfo, missing or out-of-range ports, zone ids,
 * relative socket paths and anything else that could be read two ways.
 */
export function parseDialAddress(input: unknown): ParsedAddress {
  if (typeof input !== 'string') return { ok: false, reason: AddressRejection.NotString };
  if (input.startsWith(UNIX_PREFIX)) {
    const n = normalizeAbsolutePath(input.slice(UNIX_PREFIX.length));
    return n.ok && n.path !== '/' ? { ok: true, address: { kind: 'unix', path: n.path } } : { ok: false, reason: AddressRejection.BadUnix };
  }
  if (input.includes('://')) return { ok: false, reason: AddressRejection.Url };
  if (input.includes('@')) return { ok: false, reason: AddressRejection.Userinfo };
  let hostPart: string;
  let portPart: string;
  let host: string | null;
  if (input.startsWith('[')) {
    const close = input.indexOf(']');
    if (close < 0 || input[close + 1] !== ':') return { ok: false, reason: close < 0 ? AddressRejection.BadHost : AddressRejection.MissingPort };
    hostPart = input.slice(1, close);
    portPart = input.slice(close + 2);
    host = parseV6(hostPart);
  } else {
    const colon = input.lastIndexOf(':');
    if (colon < 0) return { ok: false, reason: AddressRejection.MissingPort };
    hostPart = input.slice(0, colon);
    portPart = input.slice(colon + 1);
    host = hostPart.includes(':') ? null : parseName(hostPart);
  }
  const port = parsePort(portPart);
  if (port === null) return { ok: false, reason: AddressRejection.BadPort };
  if (host === null) return { ok: false, reason: AddressRejection.BadHost };
  return { ok: true, address: { kind: 'tcp', host, port } };
}

/** The one canonical spelling of an address; equal strings mean the same endpoint. */
export function formatDialAddress(address: DialAddress): string {
  return address.kind === 'unix' ? `${UNIX_PREFIX}${address.path}` : `${address.host}:${address.port}`;
}

/** Canonical spelling of an address string, or `null` when it does not parse. */
export function canonicalDialAddress(input: unknown): string | null {
  const p = parseDialAddress(input);
  return p.ok ? formatDialAddress(p.address) : null;
}

/**
 * True when `address` equals one granted entry exactly (after canonical spelling). Unparsable
 * grant entries never match; an unparsable address never passes.
 */
export function isDialAllowed(granted: readonly string[], address: string): boolean {
  const wanted = canonicalDialAddress(address);
  if (wanted === null) return false;
  return granted.some((entry) => canonicalDialAddress(entry) === wanted);
}

/** The `host` of a tcp address without IPv6 brackets, as `net.connect` wants it. */
export function connectHost(address: DialAddress & { kind: 'tcp' }): string {
  return address.host.startsWith('[') ? address.host.slice(1, -1) : address.host;
}

/**
 * The SNI name to send: an explicit name (validated, lowercase, no trailing dot), else the
 * host when it is a DNS name, else none (SNI cannot carry an IP address, RFC 6066 §3).
 * `null` when an explicit name is not a DNS name.
 */
export function sniName(explicit: string | undefined, address: DialAddress & { kind: 'tcp' }): string | undefined | null {
  const strip = (name: string): string => (name.endsWith('.') ? name.slice(0, -1) : name);
  if (explicit !== undefined) {
    const name = typeof explicit === 'string' ? parseName(explicit) : null;
    return name === null || isIPv4(name) ? null : strip(name);
  }
  if (address.host.startsWith('[') || isIPv4(address.host)) return undefined;
  return strip(address.host);
}

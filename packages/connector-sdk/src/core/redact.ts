/**
 * Strips anything that could be key material from text that leaves the sandbox's path to the
 * target (server output quoted in status, Events and logs): PEM blocks of any kind, long
 * base64 and base64url runs (a JWK's `"d"`, a DER key pasted without its PEM armour), and hex
 * in the shapes tools print keys in: dump lines (`xxd`, `hexdump -C`, `od -x`) and byte lists
 * (`openssl pkey -text` prints the private scalar as `00:c3:4f:…`). Over-redacting a
 * certificate or a fingerprint is fine; leaking a key is not.
 */

const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g;
/** base64 (`+/`) and base64url (`-_`), matched apart: a run mixing `/` and `-` is a path, not an encoding. 40 characters carry 30 bytes. */
const BASE64_RUN = /(?:[A-Za-z0-9+/]{40,}|[A-Za-z0-9_-]{40,})={0,2}/g;
/** A whole line of base64 (e.g. the short last line of a key quoted without its BEGIN line). */
const BASE64_LINE = /^[ \t]*(?:[A-Za-z0-9+/]{16,}|[A-Za-z0-9_-]{16,})={0,2}[ \t]*$/gm;
/** A dump line: an offset, then at least four groups of hex (xxd, hexdump, od -x), ASCII column and all. */
const DUMP_LINE = /^[ \t]*[0-9A-Fa-f]{4,16}:?(?:[ \t]+[0-9A-Fa-f]{2,8}){4,}.*$/gm;
/** 16 or more hex bytes separated by `:` or spaces (openssl -text, hexdump -C), across line breaks. */
const HEX_BYTES = /\b[0-9A-Fa-f]{2}(?:(?::|[ \t]+|:?\r?\n[ \t]*)[0-9A-Fa-f]{2}){15,}:?(?![0-9A-Za-z])/g;
const MAX_LEN = 1024;

/**
 * Everything base64-shaped is treated as a secret except what is plainly a name: lower-case
 * words joined by `/`, `-`, `_` or `.` (`projects/p/locations/global/certificates/web`,
 * `shop-web-certificate-2026-renewal`). Random base64 of 40+ characters has no upper-case
 * letter with a probability near 1e-9, and a bare hex run has no separator, so key material
 * is never mistaken for a name.
 */
function looksEncoded(run: string): boolean {
  const trimmed = run.replace(/=+$/, '').replace(/^\/+/, '');
  const name = !/[A-Z]/.test(trimmed) && /[/_-]/.test(trimmed) && trimmed.split(/[/_-]/).every((seg) => /^([a-z][a-z0-9.]*|[0-9]{1,4})$/.test(seg));
  return !name;
}

/** Returns `text` without PEM blocks, base64(url) runs or hex key dumps, and at most 1 KiB long. */
export function redactSecrets(text: string): string {
  const out = text
    .replace(PEM_BLOCK, '[REDACTED PEM]')
    .replace(DUMP_LINE, '[REDACTED]')
    .replace(HEX_BYTES, '[REDACTED]')
    .replace(BASE64_RUN, (run) => (looksEncoded(run) ? '[REDACTED]' : run))
    .replace(BASE64_LINE, (line) => (looksEncoded(line.trim()) ? '[REDACTED]' : line));
  return out.length > MAX_LEN ? `${out.slice(0, MAX_LEN)}…` : out;
}

/**
 * Strips anything that could be key material from text that leaves the sandbox's path to the
 * target (server output quoted in status, Events and logs): PEM blocks of any kind, and long
 * base64 runs. Over-redacting a certificate is fine; leaking a key is not.
 */

const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g;
const BASE64_RUN = /[A-Za-z0-9+/]{40,}={0,2}/g;
/** A whole line of base64 (e.g. the short last line of a key quoted without its BEGIN line). */
const BASE64_LINE = /^[ \t]*[A-Za-z0-9+/]{16,}={0,2}[ \t]*$/gm;
const MAX_LEN = 1024;

/**
 * Everything base64-shaped is treated as a secret except what is plainly a resource path:
 * lower-case words joined by `/` (`projects/p/locations/global/certificates/web`). Random
 * base64 of 40+ characters has no upper-case letter with a probability near 1e-9, so a key
 * line is never mistaken for a path.
 */
function looksEncoded(run: string): boolean {
  const path = !/[A-Z]/.test(run) && run.includes('/') && run.split('/').every((seg) => /^[a-z][a-z0-9]+$/.test(seg));
  return !path;
}

/** Returns `text` without PEM blocks or base64 runs, and at most 1 KiB long. */
export function redactSecrets(text: string): string {
  const out = text
    .replace(PEM_BLOCK, '[REDACTED PEM]')
    .replace(BASE64_RUN, (run) => (looksEncoded(run) ? '[REDACTED]' : run))
    .replace(BASE64_LINE, (line) => (looksEncoded(line) ? '[REDACTED]' : line));
  return out.length > MAX_LEN ? `${out.slice(0, MAX_LEN)}…` : out;
}

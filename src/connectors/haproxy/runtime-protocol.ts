/**
 * The HAProxy Runtime API (stats socket) as pure text: the commands this connector sends and
 * what their replies mean. Kept apart from the I/O so every reply HAProxy 2.6 gives can be
 * tested as data. One command per connection (the non-interactive mode): HAProxy answers and
 * closes, which is exactly `Sandbox.send`.
 *
 * Replies quoted here come from HAProxy 2.6 (`src/ssl_ckch.c`):
 * - `set ssl cert <path> <<\n<pem>\n\n` → `Transaction created for certificate <path>!` or
 *   `Transaction updated …`; failures end in `Can't update <path>!`.
 * - `commit ssl cert <path>` → `Committing <path>` + one dot per instance + `Success!`; failures
 *   end in `Can't commit <path>!` (e.g. `inconsistencies between private key and certificate`).
 * - `show ssl cert <path>` → `Filename:`, `Serial:`, `notAfter:`, `SHA1 FingerPrint:` … lines,
 *   or `Can't display the certificate: Not found …` for a path HAProxy did not load.
 * - Another client's transaction or a concurrent commit: `The ongoing transaction is about …`,
 *   `… currently locked!`. Those clear by themselves, so they are retryable.
 */

/** What `show ssl cert <path>` says HAProxy serves for a path. */
export interface LoadedCertificate {
  /** Uppercase hex SHA-1 of the leaf's DER; HAProxy 2.6 omits it for some key types (Ed25519). */
  readonly sha1?: string;
  /** Uppercase hex serial, as HAProxy prints it. */
  readonly serial?: string;
  /** `notAfter` as OpenSSL prints it, e.g. `Nov 26 23:04:50 2026 GMT`. */
  readonly notAfter?: string;
}

export type ShowResult =
  | { readonly kind: 'loaded'; readonly certificate: LoadedCertificate }
  | { readonly kind: 'notLoaded' }
  | { readonly kind: 'unexpected'; readonly reply: string };

export type ChangeResult = { readonly ok: true } | { readonly ok: false; readonly retryable: boolean; readonly reply: string };

/** How the deployment's leaf identifies itself in `show ssl cert` output. */
export interface WantedCertificate {
  readonly sha1: string;
  readonly serial: string;
  readonly notAfter: Date;
}

/**
 * HAProxy's CLI buffer (tune.bufsize, 16384 by default) bounds one command with its payload.
 * A bigger payload is dropped without an answer, so an empty reply to a payload this large is
 * that limit, not a transient failure.
 */
export const CLI_BUFFER_BYTES = 16_384;

/** The payload ends at the first empty line, so the PEM must have none. */
export function sanitizePayload(pem: string): string {
  return `${pem
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .join('\n')}\n`;
}

export const showCommand = (path: string): string => `show ssl cert ${path}\n`;
export const commitCommand = (path: string): string => `commit ssl cert ${path}\n`;
export const abortCommand = (path: string): string => `abort ssl cert ${path}\n`;
/** `set ssl cert` with the PEM as payload, closed by the empty line HAProxy waits for. */
export const setCommand = (path: string, pem: string): string => `set ssl cert ${path} <<\n${sanitizePayload(pem)}\n`;

const RETRYABLE = [/ongoing transaction is about/i, /currently locked/i];

/** Parses the reply to `show ssl cert <path>`. */
export function parseShow(reply: string): ShowResult {
  if (/Can't display the certificate: Not found/i.test(reply)) return { kind: 'notLoaded' };
  if (!/^Filename: /m.test(reply)) return { kind: 'unexpected', reply };
  const field = (name: string): string | undefined => {
    const m = new RegExp(`^${name}: *([^\\n]*)$`, 'm').exec(reply);
    const v = m?.[1]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const sha1 = field('SHA1 FingerPrint');
  const serial = field('Serial');
  const notAfter = field('notAfter');
  return {
    kind: 'loaded',
    certificate: {
      ...(sha1 === undefined ? {} : { sha1: sha1.toUpperCase() }),
      ...(serial === undefined ? {} : { serial: serial.toUpperCase() }),
      ...(notAfter === undefined ? {} : { notAfter }),
    },
  };
}

const stripZeros = (hex: string): string => hex.toUpperCase().replace(/^0+(?=.)/, '');

/**
 * True when the loaded certificate is the wanted leaf: by SHA-1 when HAProxy prints it, else
 * (HAProxy 2.6 stops before the fingerprint for Ed25519 keys) by serial AND expiry, which a
 * CA never repeats for two certificates.
 */
export function isWanted(loaded: LoadedCertificate, want: WantedCertificate): boolean {
  if (loaded.sha1 !== undefined) return loaded.sha1 === want.sha1.toUpperCase();
  if (loaded.serial === undefined || loaded.notAfter === undefined) return false;
  const expiry = Date.parse(loaded.notAfter.replace(/\s+/g, ' '));
  return stripZeros(loaded.serial) === stripZeros(want.serial) && Math.floor(expiry / 1000) === Math.floor(want.notAfter.getTime() / 1000);
}

/** Reads the reply to `set ssl cert`. `payloadBytes` tells an oversized payload from a lost connection. */
export function parseSet(reply: string, payloadBytes: number): ChangeResult {
  if (/^Transaction (created|updated) for certificate /m.test(reply)) return { ok: true };
  return failure(reply, payloadBytes);
}

/** Reads the reply to `commit ssl cert`. */
export function parseCommit(reply: string): ChangeResult {
  if (/^Success!$/m.test(reply)) return { ok: true };
  return failure(reply, 0);
}

function failure(reply: string, payloadBytes: number): ChangeResult {
  const text = reply.trim();
  if (text === '') {
    if (payloadBytes >= CLI_BUFFER_BYTES - 512) {
      return { ok: false, retryable: false, reply: `no answer: the ${payloadBytes}-byte payload does not fit HAProxy's CLI buffer (tune.bufsize, 16384 by default)` };
    }
    return { ok: false, retryable: true, reply: 'HAProxy closed the connection without an answer' };
  }
  return { ok: false, retryable: RETRYABLE.some((r) => r.test(text)), reply: text };
}

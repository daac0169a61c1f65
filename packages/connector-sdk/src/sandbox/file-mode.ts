/**
 * File mode decisions for `Sandbox.writeFile`. Key files default to owner-only, and a private
 * key is never written readable or writable by "other", whatever mode a connector asks for:
 * a world-readable key is a compromised key.
 */

/** Mode for files that hold or may hold key material. */
export const KEY_FILE_MODE = 0o600;
/** Mode for certificates and other public material. */
export const PUBLIC_FILE_MODE = 0o644;

const KEY_MARKER = Buffer.from('PRIVATE KEY');
const KEY_SUFFIXES = ['.key', '.pem'];

/** True when the data contains a PEM private-key block marker (any key type, encrypted too). */
export function containsPrivateKey(data: Uint8Array): boolean {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).includes(KEY_MARKER);
}

/** True when the file name says key (`.key`) or may carry a key alongside the chain (`.pem`). */
export function isKeyPath(path: string): boolean {
  const lower = path.toLowerCase();
  return KEY_SUFFIXES.some((s) => lower.endsWith(s));
}

/** The mode used when the connector sets none. */
export function defaultFileMode(path: string, data: Uint8Array): number {
  return isKeyPath(path) || containsPrivateKey(data) ? KEY_FILE_MODE : PUBLIC_FILE_MODE;
}

/**
 * Why `mode` may not be used for `data`, or `null` when it may. Modes are plain permission
 * bits (no setuid, setgid or sticky); private keys may not be accessible to "other".
 */
export function modeProblem(mode: number, data: Uint8Array): string | null {
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) {
    return 'mode must be an integer from 0 to 0o777 (no setuid, setgid or sticky bits)';
  }
  if ((mode & 0o007) !== 0 && containsPrivateKey(data)) return 'a private key may not be accessible to other users';
  return null;
}

/** `0o640` style rendering for messages. */
export function formatMode(mode: number | null): string {
  return mode === null ? 'none' : `0o${mode.toString(8).padStart(3, '0')}`;
}

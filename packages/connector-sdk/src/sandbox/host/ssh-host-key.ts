/**
 * Host key pinning. An SSH server proves its identity with its host key; without pinning it,
 * whoever answers on the address (a hijacked DNS name, a rebuilt VM) would receive the private
 * keys we deploy. The pin is the known-host line in OpenSSH public-key form (`ssh-ed25519
 * AAAA...`, as printed by `ssh-keyscan` or found in `/etc/ssh/ssh_host_ed25519_key.pub`), and
 * the server's key blob must equal it byte for byte.
 *
 * Messages name keys only by their OpenSSH fingerprint (`SHA256:...`), never by key bytes, so
 * they can be compared against `ssh-keygen -lf` output. Pure functions only; no I/O.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { CertDeployerError, ErrorCode } from '../errors.ts';

/** A parsed pin: the key type and the raw public key blob (RFC 4253 §6.6 encoding). */
export interface PinnedHostKey {
  readonly type: string;
  readonly blob: Buffer;
  readonly fingerprint: string;
}

/**
 * Key type → the host key algorithms to offer in the handshake. Offering only the pinned key's
 * algorithms makes a server that has several host keys present the pinned one; RSA is offered
 * with SHA-2 signatures only (the SHA-1 `ssh-rsa` signature is deprecated by OpenSSH).
 */
const HOST_KEY_ALGORITHMS: Readonly<Record<string, readonly string[]>> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256'],
};

/** Key types a pin may have. */
export const SUPPORTED_HOST_KEY_TYPES: readonly string[] = Object.keys(HOST_KEY_ALGORITHMS);

/** OpenSSH-style fingerprint of a key blob: `SHA256:` + unpadded base64 of its SHA-256. */
export function fingerprintOf(blob: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The type string a key blob starts with (`string type` in RFC 4253), or null if malformed. */
export function blobKeyType(blob: Uint8Array): string | null {
  if (blob.length < 4) return null;
  const len = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength).readUInt32BE(0);
  if (len === 0 || len > 64 || 4 + len > blob.length) return null;
  const type = Buffer.from(blob.subarray(4, 4 + len)).toString('latin1');
  return /^[\x21-\x7e]+$/.test(type) ? type : null;
}

function invalidPin(why: string): CertDeployerError {
  return new CertDeployerError(
    ErrorCode.HostKeyMismatch,
    `ssh: pinned hostKey is not usable: ${why}; expected the OpenSSH public key line of the server's host key, e.g. "ssh-ed25519 AAAA..." from ssh-keyscan`,
  );
}

/**
 * Parses a known-host line `TYPE BASE64 [comment]` (a leading `host,...` field as in
 * known_hosts files is accepted and ignored). Throws CD_ERR_HOST_KEY_MISMATCH when the line is
 * malformed, the base64 does not decode to a key of the declared type, or the type is unsupported.
 */
export function parseHostKey(line: string): PinnedHostKey {
  const fields = line.trim().split(/\s+/);
  const isType = (f: string | undefined): boolean => f !== undefined && Object.hasOwn(HOST_KEY_ALGORITHMS, f);
  // `TYPE KEY [comment]`, or a known_hosts entry `HOSTS TYPE KEY [comment]`.
  const typeIndex = isType(fields[0]) ? 0 : isType(fields[1]) ? 1 : -1;
  if (typeIndex < 0) {
    const named = (fields[0] ?? '').length <= 40 ? ` (got ${JSON.stringify(fields[0] ?? '')})` : '';
    throw invalidPin(`it does not start with a supported key type${named}; supported: ${SUPPORTED_HOST_KEY_TYPES.join(', ')}`);
  }
  const type = fields[typeIndex] ?? '';
  const b64 = fields[typeIndex + 1] ?? '';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) throw invalidPin('the key is not valid base64');
  const blob = Buffer.from(b64, 'base64');
  const inner = blobKeyType(blob);
  if (inner !== type) {
    throw invalidPin(`the key data is of type ${JSON.stringify(inner ?? 'unknown')}, not ${JSON.stringify(type)}`);
  }
  return { type, blob, fingerprint: fingerprintOf(blob) };
}

/** Host key algorithms to offer for a pinned key, so the server presents that key. */
export function hostKeyAlgorithmsFor(pin: PinnedHostKey): string[] {
  return [...(HOST_KEY_ALGORITHMS[pin.type] ?? [pin.type])];
}

/** The known-host line (`TYPE BASE64`) of a key blob the server presented, for pinning after TOFU. */
export function knownHostLine(blob: Uint8Array): string {
  return `${blobKeyType(blob) ?? 'unknown'} ${Buffer.from(blob).toString('base64')}`;
}

/** Whether the presented blob is exactly the pinned key. */
export function hostKeyMatches(pin: PinnedHostKey, presented: Uint8Array): boolean {
  return pin.blob.length === presented.length && timingSafeEqual(pin.blob, presented);
}

/** The error for a server whose key is not the pinned one: both fingerprints, no key bytes. */
export function hostKeyMismatchError(label: string, expected: string, got: string): CertDeployerError {
  return new CertDeployerError(
    ErrorCode.HostKeyMismatch,
    `ssh ${label}: host key mismatch: expected ${expected}, server presented ${got}. ` +
      'Refusing to connect; if the server was legitimately re-keyed, update the pinned hostKey.',
    { retryable: false },
  );
}

/** The error for a server that offers no host key of the pinned type at all. */
export function hostKeyTypeUnavailableError(label: string, pin: PinnedHostKey): CertDeployerError {
  return new CertDeployerError(
    ErrorCode.HostKeyMismatch,
    `ssh ${label}: host key mismatch: expected ${pin.fingerprint} (${pin.type}), but the server offers no ${pin.type} host key`,
    { retryable: false },
  );
}

/** The error for a host without a pin when trust on first use was not explicitly enabled. */
export function hostKeyMissingError(label: string): CertDeployerError {
  return new CertDeployerError(
    ErrorCode.HostKeyMismatch,
    `ssh ${label}: no hostKey pinned; set hostKey to the server's public host key line ` +
      '(ssh-keyscan -t ed25519 HOST), or explicitly enable trustOnFirstUse',
    { retryable: false },
  );
}

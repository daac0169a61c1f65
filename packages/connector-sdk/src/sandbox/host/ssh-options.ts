/**
 * What an SshHost is configured with, and the pure validation that turns user input into a
 * connection plan. Validation happens before any socket is opened, so a typo in the address or
 * a missing host key is reported as such, not as a confusing network error.
 */
import { CertDeployerError, ErrorCode } from '../errors.ts';
import { hostKeyMissingError, parseHostKey, type PinnedHostKey } from './ssh-host-key.ts';

/** SSH-level keepalive: detects a dead peer on an idle, reused connection. */
export interface SshKeepalive {
  readonly intervalMs: number;
  /** Unanswered keepalives before the connection is declared dead. Default 3. */
  readonly countMax?: number;
}

export interface SshHostOptions {
  /** `host:port`, IPv6 as `[::1]:22`. The port is required: no implicit defaults on a target. */
  readonly address: string;
  readonly user: string;
  /** Private key (OpenSSH or PEM text) from a Secret. Never logged, never put into an error. */
  readonly privateKey: string;
  readonly passphrase?: string;
  /** The pinned host key, `ssh-ed25519 AAAA...`. Required unless `trustOnFirstUse` is true. */
  readonly hostKey?: string;
  /**
   * Accept whatever key the server presents when no `hostKey` is pinned, and report it through
   * `onHostKeyObserved` so it can be pinned. Off by default: only an explicit `true` enables it.
   * After the first connection the observed key is pinned for the life of this host instance.
   */
  readonly trustOnFirstUse?: boolean;
  /** Called with the known-host line and fingerprint of a key accepted by trust on first use. */
  readonly onHostKeyObserved?: (knownHostLine: string, fingerprint: string) => void;
  /** TCP connect + handshake + authentication deadline. Default 15 s. */
  readonly connectTimeoutMs?: number;
  /** Default `{ intervalMs: 15000, countMax: 3 }`; `false` disables keepalives. */
  readonly keepalive?: SshKeepalive | false;
}

/** The validated plan a connection is opened from. */
export interface SshTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** `user@host:port`, for messages. */
  readonly label: string;
  /** null only when trust on first use was explicitly enabled. */
  readonly pin: PinnedHostKey | null;
  readonly connectTimeoutMs: number;
  readonly keepaliveIntervalMs: number;
  readonly keepaliveCountMax: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
export const DEFAULT_KEEPALIVE: SshKeepalive = { intervalMs: 15_000, countMax: 3 };

function invalid(what: string): CertDeployerError {
  return new CertDeployerError(ErrorCode.Connector, `ssh: invalid host options: ${what}`);
}

/** Splits `host:port` / `[v6]:port`; throws CD_ERR_CONNECTOR for anything else. */
export function parseAddress(address: string): { host: string; port: number } {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(address);
  const port = Number(m?.[3]);
  const host = m?.[1] ?? m?.[2];
  if (m === null || host === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw invalid(`address ${JSON.stringify(address)} is not host:port (IPv6 as [::1]:22)`);
  }
  return { host, port };
}

/** POSIX-ish user or group name: no spaces, no leading dash, nothing a shell or `id` could misread. */
export const ACCOUNT_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$/;

/** Validates options into a target. Throws typed errors; the private key is not inspected here. */
export function resolveTarget(opts: SshHostOptions): SshTarget {
  const { host, port } = parseAddress(opts.address);
  if (!ACCOUNT_NAME.test(opts.user) || opts.user.length > 64) {
    throw invalid(`user ${JSON.stringify(opts.user.slice(0, 64))} is not a valid account name`);
  }
  if (typeof opts.privateKey !== 'string' || opts.privateKey.trim() === '') throw invalid('privateKey is empty');
  const label = `${opts.user}@${host.includes(':') ? `[${host}]` : host}:${port}`;
  let pin: PinnedHostKey | null = null;
  if (opts.hostKey !== undefined && opts.hostKey.trim() !== '') pin = parseHostKey(opts.hostKey);
  else if (opts.trustOnFirstUse !== true) throw hostKeyMissingError(label);
  const connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  if (!Number.isFinite(connectTimeoutMs) || connectTimeoutMs <= 0) throw invalid('connectTimeoutMs must be > 0');
  const keepalive = opts.keepalive === undefined ? DEFAULT_KEEPALIVE : opts.keepalive;
  const keepaliveIntervalMs = keepalive === false ? 0 : keepalive.intervalMs;
  if (!Number.isFinite(keepaliveIntervalMs) || keepaliveIntervalMs < 0) throw invalid('keepalive.intervalMs must be >= 0');
  const keepaliveCountMax = keepalive === false ? 0 : (keepalive.countMax ?? DEFAULT_KEEPALIVE.countMax ?? 3);
  return { host, port, user: opts.user, label, pin, connectTimeoutMs, keepaliveIntervalMs, keepaliveCountMax };
}

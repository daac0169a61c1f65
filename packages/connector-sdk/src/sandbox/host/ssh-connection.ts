/**
 * One SSH connection per host, opened on first use and reused by every file operation, command
 * and socket stream (each gets its own channel). Deploying a certificate costs one handshake,
 * not one per step. When the connection drops, the next operation opens a fresh one; after
 * `close()` nothing reconnects.
 *
 * The handshake is where the host key pin is enforced: ssh2's `hostVerifier` sees the server's
 * raw key blob and the connection is refused before authentication (so before the server learns
 * anything about us, and long before a key file could be written) unless it equals the pin.
 */
import { createRequire } from 'node:module';
import type * as Ssh2 from 'ssh2';
import type { Client as Ssh2Client, ConnectConfig, SFTPWrapper } from 'ssh2';
import { CertDeployerError, ErrorCode } from '../errors.ts';
import { closedError, mapConnectionError, unreachableError } from './ssh-errors.ts';
import {
  fingerprintOf,
  hostKeyAlgorithmsFor,
  hostKeyMatches,
  hostKeyMismatchError,
  hostKeyTypeUnavailableError,
  knownHostLine,
  type PinnedHostKey,
} from './ssh-host-key.ts';
import type { SshTarget } from './ssh-options.ts';

/**
 * ssh2, loaded on the first SSH target of the process (it is CommonJS, so a synchronous
 * require keeps every caller as it was): a controller with no SSH target never pays its
 * memory (about 14 MiB of RSS; issue 13, lean runtime).
 */
let ssh2Module: typeof Ssh2 | undefined;
const ssh2 = (): typeof Ssh2 => (ssh2Module ??= createRequire(import.meta.url)('ssh2') as typeof Ssh2);

/** Credentials, validated once; kept only in private fields so they never reach a log. */
export interface SshCredentials {
  readonly privateKey: string;
  readonly passphrase?: string;
}

/**
 * Checks that the private key parses (and decrypts) before any connection, so a bad Secret is
 * reported as such. ssh2's parser messages name the problem, never the key bytes.
 */
export function checkPrivateKey(creds: SshCredentials): void {
  const parsed = ssh2().utils.parseKey(creds.privateKey, creds.passphrase);
  const key = Array.isArray(parsed) ? (parsed[0] as unknown) : parsed;
  if (key instanceof Error) {
    throw new CertDeployerError(ErrorCode.Connector, `ssh: privateKey cannot be used: ${key.message}`);
  }
  if (key === undefined || (key as { getPrivatePEM(): string | null }).getPrivatePEM() === null) {
    throw new CertDeployerError(ErrorCode.Connector, 'ssh: privateKey holds no private key (is it the public key?)');
  }
}

/** Called with the observed key when trust on first use accepted it. */
export type HostKeyObserver = (knownHostLine: string, fingerprint: string) => void;

export class SshConnection {
  readonly #target: SshTarget;
  readonly #creds: SshCredentials;
  readonly #onObserved: HostKeyObserver | undefined;
  #pin: PinnedHostKey | null;
  #client: Promise<Ssh2Client> | null = null;
  #sftp: Promise<SFTPWrapper> | null = null;
  #closed = false;

  constructor(target: SshTarget, creds: SshCredentials, onObserved?: HostKeyObserver) {
    this.#target = target;
    this.#creds = creds;
    this.#onObserved = onObserved;
    this.#pin = target.pin;
  }

  /** The connected client, opening it if needed. */
  client(): Promise<Ssh2Client> {
    if (this.#closed) return Promise.reject(closedError(this.#target.label));
    this.#client ??= this.#open();
    return this.#client;
  }

  /** The SFTP session on the shared connection, opened on first use. */
  sftp(): Promise<SFTPWrapper> {
    if (this.#closed) return Promise.reject(closedError(this.#target.label));
    if (this.#sftp === null) {
      const opening = this.#openSftp();
      this.#sftp = opening;
      opening.catch(() => {
        if (this.#sftp === opening) this.#sftp = null;
      });
    }
    return this.#sftp;
  }

  /**
   * Runs `open` with the client. If the cached connection turned out to be dead (ssh2 throws
   * "Not connected" synchronously), it is dropped and `open` is retried once on a fresh one;
   * that is safe because nothing was sent yet.
   */
  async withClient<T>(open: (client: Ssh2Client) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const pending = this.client();
      const client = await pending;
      try {
        return await open(client);
      } catch (err) {
        if (!(err instanceof Error) || err.message !== 'Not connected') throw err;
        if (this.#client === pending) {
          this.#client = null;
          this.#sftp = null;
        }
        if (attempt > 0) throw unreachableError(this.#target.label, 'connection lost', { cause: err });
      }
    }
  }

  /** Ends the connection. Idempotent; later operations fail with a non-retryable error. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const pending = this.#client;
    this.#client = null;
    this.#sftp = null;
    if (pending === null) return;
    const client = await pending.catch(() => null);
    if (client === null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2_000);
      client.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      client.end();
    });
  }

  #forget(client: Ssh2Client): void {
    const ignore = (): void => undefined;
    this.#client?.then((c) => {
      if (c === client) {
        this.#client = null;
        this.#sftp = null;
      }
    }, ignore);
  }

  async #openSftp(): Promise<SFTPWrapper> {
    return this.withClient(
      (client) =>
        new Promise<SFTPWrapper>((resolve, reject) => {
          client.sftp((err, sftp) => {
            if (err) return reject(unreachableError(this.#target.label, `cannot start the sftp subsystem (${err.message})`, { cause: err }));
            sftp.on('close', () => {
              this.#sftp?.then(
                (s) => {
                  if (s === sftp) this.#sftp = null;
                },
                () => undefined,
              );
            });
            resolve(sftp);
          });
        }),
    );
  }

  #open(): Promise<Ssh2Client> {
    const target = this.#target;
    const pin = this.#pin;
    const opening = new Promise<Ssh2Client>((resolve, reject) => {
      const client = new (ssh2().Client)();
      let settled = false;
      let refusal: CertDeployerError | null = null;
      let observed: Buffer | null = null;
      const fail = (err: CertDeployerError): void => {
        if (settled) return;
        settled = true;
        reject(err);
        client.end();
      };
      const hostVerifier = (key: Buffer): boolean => {
        if (pin === null) {
          observed = Buffer.from(key);
          return true;
        }
        if (hostKeyMatches(pin, key)) return true;
        refusal = hostKeyMismatchError(target.label, pin.fingerprint, fingerprintOf(key));
        return false;
      };
      client.on('ready', () => {
        if (settled) return;
        settled = true;
        // SFTP and exec are small request/response exchanges: Nagle plus delayed ACKs would add
        // ~40 ms to each round trip.
        client.setNoDelay(true);
        if (observed !== null) this.#acceptObserved(observed);
        resolve(client);
      });
      client.on('error', (err: Error) => {
        if (settled) return this.#forget(client);
        if (refusal !== null) return fail(refusal);
        if (pin !== null && /no matching host key/i.test(err.message)) return fail(hostKeyTypeUnavailableError(target.label, pin));
        fail(mapConnectionError(err, target.label));
      });
      client.on('close', () => {
        if (!settled) fail(refusal ?? unreachableError(target.label, 'connection closed during the handshake'));
        this.#forget(client);
      });
      const config: ConnectConfig = {
        host: target.host,
        port: target.port,
        username: target.user,
        privateKey: this.#creds.privateKey,
        passphrase: this.#creds.passphrase,
        hostVerifier,
        readyTimeout: target.connectTimeoutMs,
        keepaliveInterval: target.keepaliveIntervalMs,
        keepaliveCountMax: target.keepaliveCountMax,
        // Only public key authentication: never fall back to an agent or a password prompt.
        authHandler: ['publickey'],
        ...(pin === null ? {} : { algorithms: { serverHostKey: hostKeyAlgorithmsFor(pin) as never } }),
      };
      try {
        client.connect(config);
      } catch (err) {
        fail(mapConnectionError(err, target.label));
      }
    });
    opening.catch(() => {
      if (this.#client === opening) this.#client = null;
    });
    return opening;
  }

  /** Trust on first use: pin the observed key for this instance and report it. */
  #acceptObserved(blob: Buffer): void {
    const fingerprint = fingerprintOf(blob);
    this.#pin = { type: knownHostLine(blob).split(' ')[0] ?? 'unknown', blob, fingerprint };
    try {
      this.#onObserved?.(knownHostLine(blob), fingerprint);
    } catch {
      // A failing observer must not break the connection it is told about.
    }
  }
}

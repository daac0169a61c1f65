/**
 * SshHost: the Host of a server reached over SSH (pure-JS ssh2 client), so a connector that
 * writes NGINX files and runs a reload works unchanged on a remote machine; the checked sandbox
 * wraps it exactly as it wraps the local host.
 *
 * - Identity: the server's host key must equal the pinned `hostKey` (ssh-host-key.ts); trust
 *   on first use exists only when explicitly enabled. Authentication is by private key only.
 * - Transport: one connection per instance, opened lazily and reused (ssh-connection.ts);
 *   transport failures are retryable CD_ERR_UNREACHABLE errors.
 * - Files over SFTP with atomic, mode-from-the-start writes (ssh-sftp.ts); commands over exec
 *   channels with exact-argv quoting (ssh-exec.ts, ssh-quote.ts); unix sockets over OpenSSH's
 *   direct-streamlocal forwarding (the server must allow `AllowStreamLocalForwarding`).
 *
 * Like every Host it performs no grant checks.
 */
import type { Duplex } from 'node:stream';
import type { ClientChannel } from 'ssh2';
import type { ExecOptions, ExecResult } from '../sandbox.ts';
import { realClock } from '../../core/clock.ts';
import { CertDeployerError, ErrorCode } from '../errors.ts';
import type { AtomicWriteOptions, BeneathFile, BeneathReadOptions, Host, HostStat } from './host.ts';
import { SshBeneath } from './ssh-beneath.ts';
import { checkPrivateKey, SshConnection } from './ssh-connection.ts';
import { HostFsError } from './ssh-errors.ts';
import { execOverSsh } from './ssh-exec.ts';
import { resolveTarget, type SshHostOptions } from './ssh-options.ts';
import { assertAbsolute, SshFiles } from './ssh-sftp.ts';

export type { SshHostOptions } from './ssh-options.ts';

/** OpenSSH channel-open failure reasons (RFC 4254 §5.1). */
const OPEN_PROHIBITED = 1;

export class SshHost implements Host {
  readonly kind = 'ssh' as const;
  readonly label: string;
  readonly #conn: SshConnection;
  readonly #files: SshFiles;
  readonly #beneath: SshBeneath;

  /**
   * Validates the options (address, user, host key pin, private key) without connecting.
   * Throws CD_ERR_HOST_KEY_MISMATCH when no usable pin is given and trust on first use is not
   * explicitly enabled, CD_ERR_CONNECTOR for other invalid options.
   */
  constructor(opts: SshHostOptions) {
    const target = resolveTarget(opts);
    const creds = { privateKey: opts.privateKey, ...(opts.passphrase === undefined ? {} : { passphrase: opts.passphrase }) };
    checkPrivateKey(creds);
    this.label = target.label;
    this.#conn = new SshConnection(target, creds, opts.onHostKeyObserved);
    this.#files = new SshFiles({
      label: this.label,
      sftp: () => this.#conn.sftp(),
      exec: (argv, execOpts) => this.exec(argv, execOpts),
    });
    this.#beneath = new SshBeneath(this.#files, { label: this.label, sftp: () => this.#conn.sftp(), now: () => realClock.now() });
  }

  readFileBeneath(root: string, path: string, opts: BeneathReadOptions): Promise<BeneathFile | null> {
    return this.#beneath.read(root, path, opts.maxBytes, opts.signal);
  }

  replaceFileBeneath(root: string, path: string, data: Uint8Array, opts: AtomicWriteOptions & { readonly maxPreviousBytes: number }): Promise<BeneathFile | null> {
    return this.#beneath.replace(root, path, data, opts);
  }

  /**
   * Not available over SFTP in this version: the swap needs symlink + posix-rename of a link
   * and version directories, each a separate round trip with its own check-then-act window.
   * Refused with a clear reason so a target asking for `layout: Atomic` over SSH fails
   * before it writes anything.
   */
  async writeFileSetBeneath(_root: string, dir: string): Promise<(BeneathFile | null)[]> {
    throw new CertDeployerError(ErrorCode.Connector, `layout Atomic is not supported over SSH yet (${this.label}:${dir}); use layout InPlace`);
  }

  async removeFileSetBeneath(_root: string, dir: string): Promise<void> {
    throw new CertDeployerError(ErrorCode.Connector, `layout Atomic is not supported over SSH yet (${this.label}:${dir})`);
  }

  unlinkBeneath(root: string, path: string, signal?: AbortSignal): Promise<void> {
    return this.#beneath.unlink(root, path, signal);
  }

  realpath(path: string, signal?: AbortSignal): Promise<string> {
    return this.#files.realpath(path, signal);
  }

  lstat(path: string, signal?: AbortSignal): Promise<HostStat | null> {
    return this.#files.lstat(path, signal);
  }

  /** Raw read by path (the server follows symlinks); the sandbox uses `readFileBeneath`. */
  readFile(path: string, signal?: AbortSignal): Promise<Uint8Array | null> {
    return this.#files.readFile(path, signal);
  }

  writeFileAtomic(path: string, data: Uint8Array, opts: AtomicWriteOptions): Promise<void> {
    return this.#files.writeFileAtomic(path, data, opts);
  }

  unlink(path: string, signal?: AbortSignal): Promise<void> {
    return this.#files.unlink(path, signal);
  }

  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult> {
    return execOverSsh(this.#conn, this.label, argv, opts);
  }

  /**
   * A stream to a unix socket on the host. A failure is ECONNREFUSED, as for a local connect:
   * OpenSSH answers "open failed" alike for a missing socket, a refused connection and a
   * forwarding policy denial (`AllowStreamLocalForwarding no`, and also `AllowTcpForwarding no`,
   * which clears the permission set both share), so the message lists all three. EACCES only
   * for servers that report the denial as "administratively prohibited".
   */
  async connectUnix(path: string, signal?: AbortSignal): Promise<Duplex> {
    assertAbsolute(path, 'connect');
    signal?.throwIfAborted();
    const channel = await this.#conn.withClient(
      (client) =>
        new Promise<ClientChannel>((resolve, reject) => {
          client.openssh_forwardOutStreamLocal(path, (err, stream) => {
            if (!err) return resolve(stream);
            const reason = (err as { reason?: unknown }).reason;
            const code = reason === OPEN_PROHIBITED ? 'EACCES' : 'ECONNREFUSED';
            const why =
              reason === OPEN_PROHIBITED
                ? 'the server does not allow stream-local forwarding'
                : `${err.message}: no socket there, nothing listening, or the server's forwarding policy ` +
                  '(AllowStreamLocalForwarding, AllowTcpForwarding, PermitOpen) denies it';
            reject(new HostFsError(code, 'connect', path, `${why} (on ${this.label})`, err));
          });
        }),
    );
    if (signal?.aborted) {
      channel.destroy();
      signal.throwIfAborted();
    }
    signal?.addEventListener('abort', () => channel.destroy(), { once: true });
    return channel;
  }

  /** Closes the connection. Idempotent; afterwards every operation fails. */
  close(): Promise<void> {
    return this.#conn.close();
  }
}

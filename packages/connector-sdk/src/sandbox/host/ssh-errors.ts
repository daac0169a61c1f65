/**
 * How SSH and SFTP failures surface to callers. Two families, on purpose:
 * - filesystem-level failures are HostFsErrors (code CD_ERR_HOST_FS, the errno name in `fsCode`,
 *   `path`, `syscall`), so the checked sandbox handles a remote host like the local one
 *   through `fsErrorCode`;
 * - transport failures (refused, timed out, dropped, authentication) are CertDeployerErrors with
 *   code CD_ERR_UNREACHABLE, retryable when waiting can help.
 * Messages name the host by its label and never include key material. Pure functions only.
 */
import { CertDeployerError, ErrorCode } from '../errors.ts';
import { HostFsError } from './fs-error.ts';

export { HostFsError };

/** SFTP v3 status codes (draft-ietf-secsh-filexfer-02 §7). */
export const SftpStatus = {
  Ok: 0,
  Eof: 1,
  NoSuchFile: 2,
  PermissionDenied: 3,
  Failure: 4,
  BadMessage: 5,
  NoConnection: 6,
  ConnectionLost: 7,
  OpUnsupported: 8,
} as const;

/**
 * SFTP status → errno name. OpenSSH's server already folds ENOTDIR and ELOOP into
 * NO_SUCH_FILE and EEXIST (among others) into FAILURE, which we can only report as EIO.
 */
export function errnoForSftpStatus(status: number): string {
  switch (status) {
    case SftpStatus.NoSuchFile:
      return 'ENOENT';
    case SftpStatus.PermissionDenied:
      return 'EACCES';
    case SftpStatus.BadMessage:
      return 'EINVAL';
    case SftpStatus.OpUnsupported:
      return 'ENOTSUP';
    default:
      return 'EIO';
  }
}

function statusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Whether an SFTP error means "does not exist". */
export function isSftpNoSuchFile(err: unknown): boolean {
  return statusOf(err) === SftpStatus.NoSuchFile;
}

/** A transport failure: the host could not be reached, or the connection broke. */
export function unreachableError(label: string, why: string, opts: { retryable?: boolean; cause?: unknown } = {}): CertDeployerError {
  return new CertDeployerError(ErrorCode.Unreachable, `ssh ${label}: ${why}`, {
    retryable: opts.retryable ?? true,
    cause: opts.cause,
  });
}

/**
 * Maps an error from an SFTP request. Status errors become HostFsErrors; NO_CONNECTION,
 * CONNECTION_LOST and errors without a status (the channel went away) become retryable
 * CD_ERR_UNREACHABLE, since the operation may succeed on a fresh connection.
 */
export function mapSftpError(err: unknown, syscall: string, path: string, label: string): Error {
  if (err instanceof CertDeployerError || err instanceof HostFsError) return err;
  const status = statusOf(err);
  const detail = err instanceof Error ? err.message : String(err);
  if (status === undefined || status === SftpStatus.NoConnection || status === SftpStatus.ConnectionLost) {
    return unreachableError(label, `sftp ${syscall} ${JSON.stringify(path)} failed: ${detail}`, { cause: err });
  }
  return new HostFsError(errnoForSftpStatus(status), syscall, path, `${detail} (on ${label})`, err);
}

interface Ssh2Error {
  readonly message?: string;
  readonly level?: string;
  readonly code?: unknown;
}

/**
 * Maps an error raised while connecting or on an established connection. Authentication
 * failures are not retryable (the same key will fail again; a Secret change triggers a new
 * attempt anyway); socket, DNS, timeout and protocol failures are.
 */
export function mapConnectionError(err: unknown, label: string): CertDeployerError {
  if (err instanceof CertDeployerError) return err;
  const e = (err ?? {}) as Ssh2Error;
  const message = typeof e.message === 'string' ? e.message : String(err);
  switch (e.level) {
    case 'client-authentication':
      return unreachableError(label, `authentication failed (${message}); check the user and that the key is in authorized_keys`, {
        retryable: false,
        cause: err,
      });
    case 'client-timeout':
      return unreachableError(label, `timed out connecting (${message})`, { cause: err });
    case 'client-dns':
      return unreachableError(label, `cannot resolve host (${message})`, { cause: err });
    case 'client-socket': {
      const code = typeof e.code === 'string' ? `${e.code}: ` : '';
      return unreachableError(label, `connection failed (${code}${message})`, { cause: err });
    }
    default:
      return unreachableError(label, `connection error (${message})`, { cause: err });
  }
}

/** The error for an operation attempted after `close()`. */
export function closedError(label: string): CertDeployerError {
  return unreachableError(label, 'host is closed', { retryable: false });
}

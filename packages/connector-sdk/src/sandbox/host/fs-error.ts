/**
 * File-system failures from any Host, in one vocabulary. The local host raises Node's own
 * errors (`code: 'ENOENT'`); a remote host raises {@link HostFsError}, which joins the
 * project's error base (code `CD_ERR_HOST_FS`) and carries the errno name in `fsCode`. Callers
 * ask {@link fsErrorCode} for the errno name and so handle both hosts alike.
 */
import { CertDeployerError, ErrorCode, hasCode } from '../errors.ts';

/**
 * An fs-style error from a remote host: errno name in `fsCode`, plus `path` and `syscall` like
 * Node's `ErrnoException`. Retryable, as a plain error was before it joined the base: an EIO or
 * a missing directory on a remote host may be fixed there without any change on our side.
 */
export class HostFsError extends CertDeployerError {
  /** The errno name (`ENOENT`, `EACCES`, `EISDIR`, `EINVAL`, `EIO`, …). */
  readonly fsCode: string;
  readonly path: string;
  readonly syscall: string;
  constructor(fsCode: string, syscall: string, path: string, detail: string, cause?: unknown) {
    super(ErrorCode.HostFs, `${fsCode}: ${detail}, ${syscall} ${JSON.stringify(path)}`, { retryable: true, cause });
    this.name = 'HostFsError';
    this.fsCode = fsCode;
    this.path = path;
    this.syscall = syscall;
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasCode(value, ErrorCode.HostFs);
  }
}

/** The errno name of a file-system error from either host (`undefined` for anything else). */
export function fsErrorCode(err: unknown): string | undefined {
  if (err instanceof HostFsError) return err.fsCode;
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && !code.startsWith('CD_ERR_') ? code : undefined;
}

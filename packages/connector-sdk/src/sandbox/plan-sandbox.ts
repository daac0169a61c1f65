/**
 * The sandbox plan mode runs in (`Connector.plan`): a wrapper in which every operation that
 * could change the target is denied by construction — file writes and restores, atomic sets,
 * commands, socket sends, and HTTP requests whose method is not a read — and counted, so a
 * connector cannot "plan" by doing, and a test can prove it did not even try. Reads, TLS probes
 * and requests that only read pass to the wrapped sandbox, whose grant checks stay in force:
 * a plan is held to the same effective grant as a deploy, never to more.
 *
 * Which POSTs only read (an AWS `Describe*` call, an OAuth token exchange) is the caller's
 * choice through `isReadRequest`; the default trusts only GET, HEAD and OPTIONS.
 */
import { DeniedError } from './errors.ts';
import type { FileSetEntry, FileSetWrite, FileWrite, HttpRequest, Sandbox } from './sandbox.ts';

/** The mutating operations a plan sandbox refused, by kind. */
export interface DeniedAttempts {
  writeFile: number;
  restoreFile: number;
  exec: number;
  send: number;
  request: number;
}

export interface PlanSandbox extends Sandbox {
  /** Mutating operations attempted and refused (a correct `plan` leaves every count at 0). */
  readonly denied: Readonly<DeniedAttempts>;
  /** Sum of `denied`. */
  readonly deniedTotal: number;
}

export interface PlanSandboxOptions {
  /** Whether a request only reads; default: its method is GET, HEAD or OPTIONS. */
  readonly isReadRequest?: (req: HttpRequest) => boolean;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Pure: the default read test — only GET, HEAD and OPTIONS. */
export function isReadMethod(req: HttpRequest): boolean {
  return READ_METHODS.has((req.method ?? 'GET').toUpperCase());
}

/** The URL without query or fragment (a query may carry a token; a denial message reaches status). */
function withoutQuery(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}

const WHY = 'plan mode: this sandbox allows no change, only reads';

/** Wraps `inner` so that only reads get through; refused attempts are counted. */
export function planSandbox(inner: Sandbox, opts: PlanSandboxOptions = {}): PlanSandbox {
  const isRead = opts.isReadRequest ?? isReadMethod;
  const denied: DeniedAttempts = { writeFile: 0, restoreFile: 0, exec: 0, send: 0, request: 0 };
  // Rejects asynchronously, like a real sandbox call, after counting synchronously.
  const deny = (kind: keyof DeniedAttempts, capability: DeniedError['capability'], subject: string): Promise<never> => {
    denied[kind]++;
    return Promise.reject(new DeniedError(capability, subject, WHY));
  };
  return {
    grant: inner.grant,
    get denied() {
      return { ...denied };
    },
    get deniedTotal() {
      return denied.writeFile + denied.restoreFile + denied.exec + denied.send + denied.request;
    },
    readFile: (path, o) => inner.readFile(path, o),
    writeFile: (path): Promise<FileWrite> => deny('writeFile', 'file.write', path),
    restoreFile: (write): Promise<void> => deny('restoreFile', 'file.write', write.path),
    writeFileSet: (files: readonly FileSetEntry[]): Promise<FileSetWrite> => deny('writeFile', 'file.write', files.map((f) => f.path).join(', ')),
    restoreFileSet: (write): Promise<void> => deny('restoreFile', 'file.write', write.paths.join(', ')),
    exec: (argv) => deny('exec', 'exec', Array.isArray(argv) ? argv.join(' ') : String(argv)),
    send: (address) => deny('send', 'net.dial', address),
    request: (req) => (isRead(req) ? inner.request(req) : deny('request', 'net.dial', `${(req.method ?? 'GET').toUpperCase()} ${withoutQuery(req.url)}`)),
    tlsProbe: (o) => inner.tlsProbe(o),
  };
}

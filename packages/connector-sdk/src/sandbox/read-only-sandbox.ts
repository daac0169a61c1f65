/**
 * A sandbox that can only read: the wrapper drift checks (`Connector.inspect`) run in, so a
 * connector cannot "inspect" by doing. Every file write and restore, every command and every
 * raw socket send is denied by construction — none of them can be told apart from a change —
 * and HTTP requests pass only when their shape is a read (see {@link isReadOnlyRequest}).
 * Reads, TLS probes and the grant checks of the wrapped sandbox are unchanged, so a read-only
 * call is held to the same effective grant as a deploy, and never to more.
 */
import { DeniedError } from './errors.ts';
import type { FileSetEntry, FileSetWrite, FileWrite, HttpRequest, Sandbox } from './sandbox.ts';

/** AWS JSON-protocol actions that only read (`CertificateManager.DescribeCertificate`). */
const AWS_READ_ACTION = /^[A-Za-z0-9_]+\.(Describe|Get|List)[A-Za-z0-9]*$/;
/** STS actions that only exchange an identity for temporary credentials. */
const STS_READ_ACTIONS = new Set(['AssumeRoleWithWebIdentity', 'GetCallerIdentity']);

const header = (req: HttpRequest, name: string): string | undefined =>
  Object.entries(req.headers ?? {}).find(([k]) => k.toLowerCase() === name)?.[1];

/** The URL without query or fragment: a query may carry a token (SAS), and a denial message is status text. */
function urlWithoutQuery(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}

function bodyText(req: HttpRequest): string {
  if (req.body === undefined) return '';
  return typeof req.body === 'string' ? req.body : new TextDecoder().decode(req.body);
}

/**
 * Whether an HTTP request only reads. Pure, so it is tested as a table:
 * - `GET`, `HEAD` and `OPTIONS`;
 * - an AWS JSON call whose `X-Amz-Target` action starts with Describe, Get or List;
 * - an OAuth 2.0 token request (form body with `grant_type`, no AWS target): it obtains a token
 *   and changes nothing on the target (Azure AD, Google);
 * - STS `AssumeRoleWithWebIdentity` / `GetCallerIdentity` (form body `Action=`);
 * - the IMDSv2 session-token `PUT /latest/api/token`.
 * Everything else (POST, PUT, PATCH, DELETE of any other shape) is treated as a change.
 */
export function isReadOnlyRequest(req: HttpRequest): boolean {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return true;
  let path: string;
  try {
    path = new URL(req.url).pathname;
  } catch {
    return false;
  }
  if (method === 'PUT') return path === '/latest/api/token' && bodyText(req) === '';
  if (method !== 'POST') return false;
  const target = header(req, 'x-amz-target');
  if (target !== undefined) return AWS_READ_ACTION.test(target);
  const type = header(req, 'content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) return false;
  const form = new URLSearchParams(bodyText(req));
  const action = form.get('Action');
  if (action !== null) return STS_READ_ACTIONS.has(action);
  return form.has('grant_type') && /\/token$/.test(path);
}

/** A sandbox that can only read; denied attempts are counted (tests assert "no change tried"). */
export interface ReadOnlySandbox extends Sandbox {
  /** Mutating operations attempted and denied. */
  readonly deniedAttempts: number;
}

/** Wraps `inner` so that everything but reads is denied (see the module comment). */
export function readOnlySandbox(inner: Sandbox): ReadOnlySandbox {
  let denied = 0;
  const deny = (capability: DeniedError['capability'], subject: string): never => {
    denied++;
    throw new DeniedError(capability, subject, 'this sandbox is read-only (drift inspection); it allows no change');
  };
  return {
    grant: inner.grant,
    get deniedAttempts() {
      return denied;
    },
    readFile: (path, opts) => inner.readFile(path, opts),
    writeFile: (path): Promise<FileWrite> => Promise.resolve().then(() => deny('file.write', path)),
    restoreFile: (write): Promise<void> => Promise.resolve().then(() => deny('file.write', write.path)),
    writeFileSet: (files: readonly FileSetEntry[]): Promise<FileSetWrite> => Promise.resolve().then(() => deny('file.write', files.map((f) => f.path).join(', '))),
    restoreFileSet: (write): Promise<void> => Promise.resolve().then(() => deny('file.write', write.paths.join(', '))),
    exec: (argv) => Promise.resolve().then(() => deny('exec', argv.join(' '))),
    send: (address) => Promise.resolve().then(() => deny('net.dial', address)),
    request: (req) => (isReadOnlyRequest(req) ? inner.request(req) : Promise.resolve().then(() => deny('net.dial', `${(req.method ?? 'GET').toUpperCase()} ${urlWithoutQuery(req.url)}`))),
    tlsProbe: (opts) => inner.tlsProbe(opts),
  };
}

/**
 * The configuration routes of the fake: file uploads, `sys crypto` install/list/get/delete,
 * unix-rm, client-ssl profiles and transactions. Each follows the documented request and
 * response shapes; the checks are the ones BIG-IP makes (upload Content-Range and 1 MB chunks,
 * referential integrity, key/cert match, atomic transactions).
 */
import { createPrivateKey } from 'node:crypto';
import {
  F5Error, parseCertBundle, parseKey, referencedPaths, toFullPath, validateCertKeyChain,
  type CertKeyChainEntry, type FakeState, type Transaction,
} from './model.ts';
import { certView, keyView, profileView, transactionView } from './views.ts';

export const DOWNLOADS = '/var/config/rest/downloads';
export const MAX_CHUNK = 1024 * 1024;

export interface RouteRequest {
  readonly method: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly query: URLSearchParams;
  readonly body: Buffer;
}

export type CommitMode = 'ok' | 'fail' | 'slow';

const json = (req: RouteRequest): Record<string, unknown> => {
  try {
    const v = JSON.parse(req.body.toString('utf8')) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new F5Error(400, 'Found invalid JSON body in the request.');
};

/** `POST /mgmt/shared/file-transfer/uploads/<name>` with Content-Range `start-end/total`. */
export function upload(state: FakeState, name: string, req: RouteRequest): Record<string, unknown> {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new F5Error(400, `Invalid file name ${name}`);
  if (req.headers['content-type'] !== 'application/octet-stream') throw new F5Error(400, 'Content-Type must be application/octet-stream for file transfers');
  const m = /^(\d+)-(\d+)\/(\d+)$/.exec(String(req.headers['content-range'] ?? ''));
  if (m === null) throw new F5Error(400, 'Content-Range header is required: <start>-<end>/<size>');
  const [start, end, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (end < start || end >= total || req.body.length !== end - start + 1) throw new F5Error(400, `Content-Range ${start}-${end}/${total} does not match a body of ${req.body.length} bytes`);
  if (req.body.length > MAX_CHUNK) throw new F5Error(400, `Chunk of ${req.body.length} bytes exceeds the 1 MB limit; send it in chunks`);
  const path = `${DOWNLOADS}/${name}`;
  let file = state.uploads.get(path);
  if (start === 0 || file === undefined || file.data.length !== total) {
    file = { data: Buffer.alloc(total), received: 0 };
    state.uploads.set(path, file);
  }
  req.body.copy(file.data, start);
  file.received += req.body.length;
  return {
    remainingByteCount: Math.max(0, total - file.received),
    usedChunks: { [String(start)]: req.body.length },
    totalByteCount: total,
    localFilePath: path,
    temporaryFilePath: `${DOWNLOADS}/tmp.${name}`,
    generation: 0,
    lastUpdateMicros: Date.now() * 1000,
  };
}

/** `POST /mgmt/tm/util/unix-rm {command: run, utilCmdArgs: <path>}`. */
export function unixRm(state: FakeState, req: RouteRequest): Record<string, unknown> {
  const b = json(req);
  if (b.command !== 'run' || typeof b.utilCmdArgs !== 'string') throw new F5Error(400, 'unix-rm takes {"command":"run","utilCmdArgs":"<path>"}');
  state.uploads.delete(b.utilCmdArgs.trim());
  return { kind: 'tm:util:unix-rm:runstate', command: 'run', utilCmdArgs: b.utilCmdArgs };
}

function localFile(state: FakeState, b: Record<string, unknown>): string {
  const from = b['from-local-file'];
  const file = typeof from === 'string' ? state.uploads.get(from) : undefined;
  if (file === undefined || file.received < file.data.length) throw new F5Error(400, `01070712:3: File not found: ${String(from)}`);
  return file.data.toString('utf8');
}

/** `POST /mgmt/tm/sys/crypto/{cert|key}` with `command: install`. */
export function install(state: FakeState, kind: 'cert' | 'key', req: RouteRequest): Record<string, unknown> {
  const b = json(req);
  if (b.command !== 'install' || typeof b.name !== 'string' || b.name === '') throw new F5Error(400, `install takes {"command":"install","name":…,"from-local-file":…}`);
  const fullPath = toFullPath(b.name, typeof b.partition === 'string' ? b.partition : 'Common');
  const text = localFile(state, b);
  if (kind === 'cert') {
    if (state.certs.has(fullPath)) throw new F5Error(409, `01020066:3: The requested certificate file (${fullPath}) already exists.`);
    const cert = { fullPath, pems: parseCertBundle(text, fullPath) };
    state.certs.set(fullPath, cert);
    return certView(cert);
  }
  if (state.keys.has(fullPath)) throw new F5Error(409, `01020066:3: The requested key file (${fullPath}) already exists.`);
  parseKey(text, fullPath);
  const key = { fullPath, pem: text };
  state.keys.set(fullPath, key);
  return keyView(key);
}

/** `GET /mgmt/tm/sys/crypto/{cert|key}`, honouring `$select`. */
export function listCrypto(state: FakeState, kind: 'cert' | 'key', req: RouteRequest): Record<string, unknown> {
  const views = kind === 'cert' ? [...state.certs.values()].map(certView) : [...state.keys.values()].map(keyView);
  const select = req.query.get('$select')?.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const items = select === undefined ? views : views.map((v) => Object.fromEntries(select.filter((k) => k in v).map((k) => [k, v[k]])));
  return { kind: `tm:sys:crypto:${kind}:${kind}collectionstate`, selfLink: `https://localhost/mgmt/tm/sys/crypto/${kind}?ver=17.1.0`, items };
}

export function getCrypto(state: FakeState, kind: 'cert' | 'key', fullPath: string): Record<string, unknown> {
  const view = kind === 'cert' ? state.certs.get(fullPath) : state.keys.get(fullPath);
  if (view === undefined) throw new F5Error(404, `01020036:3: The requested ${kind === 'cert' ? 'certificate' : 'key'} file (${fullPath}) was not found.`);
  return kind === 'cert' ? certView(view as never) : keyView(view as never);
}

/** DELETE refuses while any profile references the object, as BIG-IP does. */
export function deleteCrypto(state: FakeState, kind: 'cert' | 'key', fullPath: string): void {
  const store = kind === 'cert' ? state.certs : state.keys;
  if (!store.has(fullPath)) throw new F5Error(404, `01020036:3: The requested file (${fullPath}) was not found.`);
  const user = [...state.profiles.values()].find((p) => referencedPaths(p).includes(fullPath));
  if (user !== undefined) throw new F5Error(400, `01070621:3: ${fullPath} is in use by ssl profile ${user.fullPath}.`);
  store.delete(fullPath);
}

/** A certKeyChain as stored: entries without the read-only reference links. */
export function normalizeChain(value: unknown, profilePath: string): CertKeyChainEntry[] {
  if (!Array.isArray(value) || !value.every((e) => typeof e === 'object' && e !== null)) throw new F5Error(400, `certKeyChain of ${profilePath} must be a list of entries`);
  return value.map((e) => Object.fromEntries(Object.entries(e as object).filter(([k]) => !k.endsWith('Reference'))) as CertKeyChainEntry);
}

/** Applies a profile PATCH body to the live configuration (validated first). */
export function patchProfile(state: FakeState, fullPath: string, body: Record<string, unknown>): Record<string, unknown> {
  const p = state.profiles.get(fullPath);
  if (p === undefined) throw new F5Error(404, `01020036:3: The requested Client SSL profile (${fullPath}) was not found.`);
  if (body.certKeyChain === undefined) return profileView(p);
  const chain = normalizeChain(body.certKeyChain, fullPath);
  validateCertKeyChain(state, fullPath, chain);
  p.certKeyChain = chain;
  p.generation++;
  return profileView(p);
}

/**
 * Commits a transaction: all queued profile changes are validated against a staged copy, and
 * applied together only when every one passes. `fail` mode refuses the commit the way a BIG-IP
 * that dumps its configuration would: the message quotes the key (PKCS#8) of the change.
 */
export function commitTransaction(state: FakeState, tx: Transaction, mode: CommitMode, validateOnly: boolean): void {
  const staged = new Map([...state.profiles].map(([k, p]) => [k, { ...p, certKeyChain: [...p.certKeyChain] }]));
  try {
    if (mode === 'fail') {
      const keyPath = tx.commands.flatMap((c) => normalizeChain(c.body.certKeyChain ?? [], c.profilePath)).map((e) => e.key).find((k) => typeof k === 'string');
      const key = keyPath === undefined ? undefined : state.keys.get(keyPath);
      const dump = key === undefined ? '' : ` Configuration: ${createPrivateKey(key.pem).export({ type: 'pkcs8', format: 'pem' }).toString()}`;
      throw new F5Error(400, `01071ac5:3: transaction ${tx.transId} failed validation (injected).${dump}`);
    }
    for (const c of tx.commands) {
      const p = staged.get(c.profilePath);
      if (p === undefined) throw new F5Error(404, `01020036:3: The requested Client SSL profile (${c.profilePath}) was not found.`);
      if (c.body.certKeyChain === undefined) continue;
      const chain = normalizeChain(c.body.certKeyChain, c.profilePath);
      validateCertKeyChain(state, c.profilePath, chain);
      staged.set(c.profilePath, { ...p, certKeyChain: chain, generation: p.generation + 1 });
    }
  } catch (err) {
    tx.state = 'FAILED';
    tx.failureReason = err instanceof Error ? err.message : String(err);
    throw err;
  }
  if (!validateOnly) for (const [k, p] of staged) state.profiles.set(k, p);
  tx.state = 'COMPLETED';
}

export { profileView, transactionView };

/**
 * The `sys crypto` objects the connector manages, through iControl REST:
 * - install from an uploaded file: `POST /mgmt/tm/sys/crypto/{cert|key}` with
 *   `{ command: "install", name, "from-local-file" }` (a chain is a cert object holding a bundle);
 * - read one (`GET …/cert/~Partition~name`, whose `fingerprint` is `SHA256/AB:…`) or list them;
 * - delete one, which BIG-IP refuses (400) while a profile references it: that refusal is the
 *   safety net that keeps a still-used object in place, so it is reported, not thrown;
 * - remove an uploaded file afterwards (`POST /mgmt/tm/util/unix-rm`, what F5's own Ansible
 *   modules do), so the key does not stay in /var/config/rest/downloads. Best effort: the
 *   utility needs the Administrator role.
 */
import { terminal } from '@cert-deployer/connector-sdk';
import type { IControlClient } from './icontrol-client.ts';
import { httpError } from './http-errors.ts';
import { parseBigIpFingerprint, urlPath } from './object-names.ts';

export type CryptoKind = 'cert' | 'key';
const BASE = '/mgmt/tm/sys/crypto';
const UNIX_RM = '/mgmt/tm/util/unix-rm';
/** Installing parses and stores the file on the appliance; allow more than an ordinary call. */
const INSTALL_TIMEOUT_MS = 60_000;

/** What a delete did. `refused`: BIG-IP said no (in use by a profile, typically); the object stays. */
export type DeleteOutcome = 'deleted' | 'missing' | 'refused';

/** Installs `localFile` (an uploaded file) as the `kind` object at full path `path`. */
export async function installObject(api: IControlClient, kind: CryptoKind, path: string, localFile: string, signal: AbortSignal): Promise<void> {
  const body = { command: 'install', name: path, 'from-local-file': localFile };
  const res = await api.call('POST', `${BASE}/${kind}`, body, { signal, timeoutMs: INSTALL_TIMEOUT_MS });
  if (res.status !== 200) throw httpError(`install ${kind} ${path}`, res);
}

/** Whether the object exists. */
export async function objectExists(api: IControlClient, kind: CryptoKind, path: string, signal: AbortSignal): Promise<boolean> {
  const res = await api.get(`${BASE}/${kind}/${urlPath(path)}`, { signal });
  if (res.status === 404) return false;
  if (res.status !== 200) throw httpError(`read ${kind} ${path}`, res);
  return true;
}

/**
 * The SHA-256 fingerprint of the certificate object at `path`: lowercase hex, `null` when the
 * object does not exist, `'unreported'` when BIG-IP returns no SHA-256 fingerprint.
 */
export async function certFingerprint(api: IControlClient, path: string, signal: AbortSignal): Promise<string | null | 'unreported'> {
  const res = await api.get(`${BASE}/cert/${urlPath(path)}`, { signal });
  if (res.status === 404) return null;
  if (res.status !== 200) throw httpError(`read cert ${path}`, res);
  return parseBigIpFingerprint((res.json as { fingerprint?: unknown } | undefined)?.fingerprint) ?? 'unreported';
}

/** Full paths of every `kind` object on the appliance. */
export async function listObjects(api: IControlClient, kind: CryptoKind, signal: AbortSignal): Promise<string[]> {
  const res = await api.get(`${BASE}/${kind}?$select=fullPath`, { signal });
  if (res.status !== 200) throw httpError(`list ${kind} objects`, res);
  const items = (res.json as { items?: unknown } | undefined)?.items;
  if (items === undefined) return [];
  if (!Array.isArray(items)) throw terminal(`list ${kind} objects: BIG-IP answered a collection whose items is not a list`);
  return items.map((i) => (i as { fullPath?: unknown }).fullPath).filter((p): p is string => typeof p === 'string');
}

/** Deletes one object; a refusal (400, e.g. still referenced) or absence is an outcome, not an error. */
export async function deleteObject(api: IControlClient, kind: CryptoKind, path: string, signal: AbortSignal): Promise<DeleteOutcome> {
  const res = await api.call('DELETE', `${BASE}/${kind}/${urlPath(path)}`, undefined, { signal });
  if (res.status === 200 || res.status === 204) return 'deleted';
  if (res.status === 404) return 'missing';
  if (res.status === 400 || res.status === 409) return 'refused';
  throw httpError(`delete ${kind} ${path}`, res);
}

/** Removes an uploaded file; false when BIG-IP refused (the role lacks the utility). Never throws for HTTP errors. */
export async function removeUploadedFile(api: IControlClient, localFile: string, signal: AbortSignal): Promise<boolean> {
  const res = await api.call('POST', UNIX_RM, { command: 'run', utilCmdArgs: localFile }, { signal });
  return res.status === 200;
}

/**
 * Puts this deployment's certificate, key and chain on the BIG-IP as NEW objects, without
 * touching anything in use: upload each file, install it under its versioned name, then remove
 * the uploaded files. On failure it deletes what it installed before the error leaves, so a
 * half-installed set never waits for a swap that will not come.
 */
import { terminal, type Deployment, toPkcs1Pem, toSec1Pem } from '@cert-deployer/connector-sdk';
import { deleteObject, installObject, objectExists, removeUploadedFile, type CryptoKind } from './crypto-objects.ts';
import type { IControlClient } from './icontrol-client.ts';
import type { ObjectNames } from './object-names.ts';
import type { DesiredObjects } from './profile-plan.ts';
import { uploadFile } from './upload.ts';

/** One object to install. `data` is revealed only when it is uploaded. */
export interface PlannedObject {
  readonly kind: CryptoKind;
  /** Full path, `/<partition>/<name>`. */
  readonly path: string;
  /** Upload file name (the object name: unique per deployment and fingerprint). */
  readonly file: string;
  readonly data: () => string;
}

export interface InstallResult {
  readonly installed: readonly PlannedObject[];
  /** False when BIG-IP refused to remove the uploaded files (the user is not an Administrator). */
  readonly uploadsRemoved: boolean;
}

const CLEANUP_TIMEOUT_MS = 60_000;

/** Cleanup after a failure or a cancel must finish: it gets its own deadline (injected clock), not the deploy's signal. */
export const cleanup = <T>(api: IControlClient, fn: (signal: AbortSignal) => Promise<T>): Promise<T> => api.onOwnDeadline(CLEANUP_TIMEOUT_MS, 'clean-up', fn);

const joinPem = (blocks: readonly string[]): string => blocks.map((b) => (b.endsWith('\n') ? b : `${b}\n`)).join('');

/**
 * Pure: the objects for `dep`. The key goes up in the algorithm's traditional PEM form (PKCS#1
 * for RSA, SEC1 for EC), the form BIG-IP itself writes.
 */
export function planObjects(dep: Deployment, names: ObjectNames, desired: DesiredObjects): PlannedObject[] {
  const out: PlannedObject[] = [
    { kind: 'cert', path: desired.cert, file: names.cert, data: () => joinPem([dep.certificatePem]) },
    { kind: 'key', path: desired.key, file: names.key, data: () => (dep.keyAlgorithm === 'rsa' ? toPkcs1Pem(dep) : toSec1Pem(dep)).reveal() },
  ];
  if (desired.chain !== null) out.push({ kind: 'cert', path: desired.chain, file: names.chain, data: () => joinPem(dep.chainPem.slice(1)) });
  return out;
}

/** Deletes `objects` (newest first); returns the paths it could not delete. Never throws. */
export async function deleteObjects(api: IControlClient, objects: readonly PlannedObject[]): Promise<string[]> {
  const stuck: string[] = [];
  for (const o of [...objects].reverse()) {
    const outcome = await cleanup(api, (s) => deleteObject(api, o.kind, o.path, s)).catch(() => 'failed' as const);
    if (outcome !== 'deleted' && outcome !== 'missing') stuck.push(o.path);
  }
  return stuck;
}

/**
 * Installs `objects`. Objects left over under the same names by an earlier attempt that died
 * before its swap (the profile does not use them, the caller checked) are deleted first, so
 * what the profile will reference is exactly what this deploy uploaded.
 */
export async function installObjects(api: IControlClient, objects: readonly PlannedObject[], signal: AbortSignal): Promise<InstallResult> {
  for (const o of objects) {
    if (!(await objectExists(api, o.kind, o.path, signal))) continue;
    const outcome = await deleteObject(api, o.kind, o.path, signal);
    if (outcome === 'refused') throw terminal(`${o.path} exists from an earlier attempt and BIG-IP refuses to delete it (another profile uses it?)`);
  }
  const installed: PlannedObject[] = [];
  const uploads: string[] = [];
  try {
    for (const o of objects) {
      signal.throwIfAborted();
      const local = await uploadFile(api, o.file, new TextEncoder().encode(o.data()), signal);
      uploads.push(local);
      await installObject(api, o.kind, o.path, local, signal);
      installed.push(o);
    }
  } catch (err) {
    await deleteObjects(api, installed);
    await removeUploads(api, uploads);
    throw err;
  }
  return { installed, uploadsRemoved: await removeUploads(api, uploads) };
}

/**
 * Removes uploaded files (the key must not stay in /var/config/rest/downloads), also after a
 * failure. Stops at the first refusal: the role decides, so the rest would be refused too.
 */
async function removeUploads(api: IControlClient, uploads: readonly string[]): Promise<boolean> {
  for (const local of [...uploads].reverse()) {
    if (!(await cleanup(api, (s) => removeUploadedFile(api, local, s)).catch(() => false))) return false;
  }
  return true;
}

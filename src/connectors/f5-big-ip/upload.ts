/**
 * File upload through the iControl REST file-transfer worker
 * (`POST /mgmt/shared/file-transfer/uploads/<name>`, F5 "Demystifying iControl REST part 5"):
 * the body is raw bytes (`application/octet-stream`) with `Content-Range: <start>-<end>/<size>`
 * on every chunk, and the worker refuses chunks over 1 MB. The file lands in
 * `/var/config/rest/downloads/<name>`, where the install commands read it.
 */
import { terminal } from '@cert-deployer/connector-sdk';
import { httpError } from './http-errors.ts';
import type { IControlClient } from './icontrol-client.ts';

export const UPLOAD_PATH = '/mgmt/shared/file-transfer/uploads';
/** Where uploaded files land on the BIG-IP. */
export const DOWNLOADS_DIR = '/var/config/rest/downloads';
/** The worker's documented per-chunk limit. */
export const MAX_CHUNK_BYTES = 1024 * 1024;

/** Pure: the `[start, end]` byte ranges (inclusive) of an upload of `size` bytes. */
export function chunkRanges(size: number, chunk = MAX_CHUNK_BYTES): Array<readonly [number, number]> {
  const out: Array<readonly [number, number]> = [];
  for (let start = 0; start < size; start += chunk) out.push([start, Math.min(start + chunk, size) - 1]);
  return out;
}

/**
 * Uploads `data` as `name`; returns the path it landed at. `data` may be key material: it only
 * ever travels as a request body, never in a URL, header or message.
 */
export async function uploadFile(api: IControlClient, name: string, data: Uint8Array, signal: AbortSignal): Promise<string> {
  if (data.byteLength === 0) throw terminal(`upload ${name}: nothing to upload`);
  for (const [start, end] of chunkRanges(data.byteLength)) {
    const res = await api.call('POST', `${UPLOAD_PATH}/${encodeURIComponent(name)}`, data.subarray(start, end + 1), {
      signal,
      headers: { 'content-type': 'application/octet-stream', 'content-range': `${start}-${end}/${data.byteLength}` },
    });
    if (res.status !== 200) throw httpError(`upload ${name}`, res);
  }
  return `${DOWNLOADS_DIR}/${name}`;
}

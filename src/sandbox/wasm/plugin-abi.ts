/**
 * The plugin host ABI, version 1: what each host function accepts, validated with zod because
 * the caller is untrusted code. Every host function takes one JSON document and returns one,
 * `{"ok":true,...}` or `{"ok":false,"error":{...}}` (docs/plugins.md). Bytes travel as `text`
 * (UTF-8) or `base64`; file-write records stay on the host side behind integer handles, so
 * the previous contents of a file (possibly the previous key) never enter the plugin.
 */
import { Buffer } from 'node:buffer';
import { z } from 'zod';

/** The import namespace of the host functions (Extism's user namespace). */
export const HOST_NAMESPACE = 'extism:host/user';

const data = { text: z.string().max(8 << 20).optional(), base64: z.string().max(12 << 20).optional() };
const identity = { owner: z.union([z.string().max(256), z.int().min(0)]).optional(), group: z.union([z.string().max(256), z.int().min(0)]).optional() };
const timeoutMs = z.int().min(1).max(3_600_000).optional();
const path = z.string().min(1).max(4096);
const handle = z.strictObject({ handle: z.int().min(0) });

export const abi = {
  sandbox_grant: z.strictObject({}),
  sandbox_read_file: z.strictObject({ path }),
  sandbox_write_file: z.strictObject({ path, ...data, mode: z.int().min(0).max(0o7777).optional(), ...identity }),
  sandbox_restore_file: handle,
  sandbox_write_file_set: z.strictObject({
    files: z.array(z.strictObject({ path, ...data, mode: z.int().min(0).max(0o7777).optional() })).min(1).max(16),
    ...identity,
  }),
  sandbox_restore_file_set: handle,
  sandbox_exec: z.strictObject({
    argv: z.array(z.string().max(4096)).min(1).max(64),
    timeoutMs,
    maxOutputBytes: z.int().min(0).max(16 << 20).optional(),
    stdin: z.string().max(8 << 20).optional(),
  }),
  sandbox_request: z.strictObject({
    url: z.string().min(1).max(8192),
    method: z.string().max(16).optional(),
    headers: z.record(z.string().max(256), z.string().max(16384)).optional(),
    ...data,
    timeoutMs,
    ca: z.string().max(1 << 20).optional(),
  }),
  sandbox_send: z.strictObject({ address: z.string().min(1).max(1024), ...data, timeoutMs, maxResponseBytes: z.int().min(0).max(16 << 20).optional() }),
  sandbox_tls_probe: z.strictObject({ address: z.string().min(1).max(1024), serverName: z.string().max(253).optional(), timeoutMs }),
} as const;
export type HostFunctionName = keyof typeof abi;
export const HOST_FUNCTIONS = Object.keys(abi) as HostFunctionName[];

/** The bytes of a `{text}` / `{base64}` pair (text wins; neither is an empty payload). */
export function bytesOf(d: { text?: string | undefined; base64?: string | undefined }): Uint8Array | string {
  if (d.text !== undefined) return d.text;
  if (d.base64 !== undefined) return Uint8Array.from(Buffer.from(d.base64, 'base64'));
  return '';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `{text}` when the bytes are UTF-8, else `{base64}`: PEM stays readable for the plugin. */
export function encodeBytes(b: Uint8Array): { text: string } | { base64: string } {
  try {
    return { text: utf8.decode(b) };
  } catch {
    return { base64: Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64') };
  }
}

/** What a plugin's deploy export returns. */
export const deployOutput = z.union([
  z.strictObject({ changed: z.boolean(), message: z.string().max(4096).optional(), remoteId: z.string().min(1).max(2048).optional() }),
  z.strictObject({ error: z.strictObject({ ref: z.int().min(0) }) }),
  z.strictObject({ error: z.strictObject({ retryable: z.boolean(), message: z.string().max(4096) }) }),
]);
export type DeployOutput = z.infer<typeof deployOutput>;

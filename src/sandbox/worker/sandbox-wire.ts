/**
 * The Sandbox methods on the wire: the argument schema the PARENT checks before it performs a
 * worker's request, and the result schema the WORKER checks before it hands a value to the
 * connector. The parent performs each request on the checked sandbox it built for the call, so
 * the effective grant is enforced in the operator, by the same code as in-process, whatever
 * the worker sends. Signals never cross: the worker sends `cancel` for a request instead.
 */
import { z } from 'zod';
import type { Sandbox } from '@cert-deployer/connector-sdk';
import type { SandboxMethod } from './protocol.ts';

const bytes = z.instanceof(Uint8Array);
const data = z.union([z.string(), bytes]);
const num = z.number().finite();
const idOrName = z.union([z.string(), z.number().int()]);
const text = z.string();

const fileWrite = z.object({ path: text, previous: bytes.nullable(), previousMode: num.nullable(), previousUid: num.optional(), previousGid: num.optional() });
const fileSetWrite = z.object({ paths: z.array(text), previous: z.array(bytes.nullable()), previousModes: z.array(num.nullable()) });
const writeOpts = z.object({ mode: num.optional(), owner: idOrName.optional(), group: idOrName.optional() });

/** Arguments of each method as the worker sends them (options without `signal`). */
export const sandboxArgs = {
  readFile: z.tuple([text]),
  writeFile: z.tuple([text, data, writeOpts]),
  restoreFile: z.tuple([fileWrite]),
  writeFileSet: z.tuple([z.array(z.object({ path: text, data, mode: num.optional() })), writeOpts.omit({ mode: true })]),
  restoreFileSet: z.tuple([fileSetWrite]),
  exec: z.tuple([z.array(text), z.object({ timeoutMs: num.optional(), maxOutputBytes: num.optional(), stdin: data.optional() })]),
  request: z.tuple([z.object({ url: text, method: text.optional(), headers: z.record(z.string(), z.string()).optional(), body: data.optional(), timeoutMs: num.optional(), ca: text.optional() })]),
  send: z.tuple([text, data, z.object({ timeoutMs: num.optional(), maxResponseBytes: num.optional() })]),
  tlsProbe: z.tuple([z.object({ address: text, serverName: text.optional(), timeoutMs: num.optional() })]),
} satisfies Record<SandboxMethod, z.ZodType>;

/** Results of each method as the parent returns them. */
export const sandboxResults = {
  readFile: bytes.nullable(),
  writeFile: fileWrite,
  restoreFile: z.undefined(),
  writeFileSet: fileSetWrite,
  restoreFileSet: z.undefined(),
  exec: z.object({ exitCode: num.nullable(), signal: text.nullable(), stdout: text, stderr: text, truncated: z.boolean(), timedOut: z.boolean() }),
  request: z.object({ status: num, headers: z.record(z.string(), z.string()), body: bytes }),
  send: bytes,
  tlsProbe: z.object({ fingerprints: z.array(text), protocol: text.nullable(), leafNotAfter: text.nullable().optional() }),
} satisfies Record<SandboxMethod, z.ZodType>;

/**
 * Performs one worker request on `sandbox` (the checked sandbox of the call). Throws a ZodError
 * for malformed arguments, and whatever the sandbox throws (DeniedError for anything outside
 * the grant) — the caller sends either back as the request's error.
 */
export async function performSandboxRequest(sandbox: Sandbox, method: SandboxMethod, args: readonly unknown[], signal: AbortSignal): Promise<unknown> {
  switch (method) {
    case 'readFile': {
      const [path] = sandboxArgs.readFile.parse(args);
      return sandbox.readFile(path, { signal });
    }
    case 'writeFile': {
      const [path, body, opts] = sandboxArgs.writeFile.parse(args);
      return sandbox.writeFile(path, body, { ...opts, signal });
    }
    case 'restoreFile': {
      const [write] = sandboxArgs.restoreFile.parse(args);
      return sandbox.restoreFile(write, { signal });
    }
    case 'writeFileSet': {
      const [files, opts] = sandboxArgs.writeFileSet.parse(args);
      return sandbox.writeFileSet(files, { ...opts, signal });
    }
    case 'restoreFileSet': {
      const [write] = sandboxArgs.restoreFileSet.parse(args);
      return sandbox.restoreFileSet(write, { signal });
    }
    case 'exec': {
      const [argv, opts] = sandboxArgs.exec.parse(args);
      return sandbox.exec(argv, { ...opts, signal });
    }
    case 'request': {
      const [req] = sandboxArgs.request.parse(args);
      return sandbox.request({ ...req, signal });
    }
    case 'send': {
      const [address, body, opts] = sandboxArgs.send.parse(args);
      return sandbox.send(address, body, { ...opts, signal });
    }
    case 'tlsProbe': {
      const [opts] = sandboxArgs.tlsProbe.parse(args);
      return sandbox.tlsProbe({ ...opts, signal });
    }
  }
}

/**
 * The host functions of a plugin call: one per Sandbox method (plugin-abi.ts), each a thin
 * adapter that validates the plugin's JSON, calls the checked Sandbox the controller built for
 * this target (so the same effective grant applies as for an in-process connector), and answers
 * with JSON. A host function never throws into the plugin: a denial, an unreachable host or a
 * cancel comes back as `{"ok":false,"error":{...,"ref":N}}`, and the error object itself stays
 * here so the plugin can hand it back by `ref` and the operator sees the sandbox's own error.
 */
import type { CallContext } from '@extism/extism';
import { CertDeployerError, isDenied } from '@cert-deployer/connector-sdk/sandbox';
import type { FileSetWrite, FileWrite, Sandbox } from '@cert-deployer/connector-sdk/sandbox';
import { abi, bytesOf, encodeBytes, type HostFunctionName } from './plugin-abi.ts';
import { PluginError } from './plugin-error.ts';

/** Per-call state: file-write records behind handles, and every error a host function answered with. */
export class CallState {
  readonly writes: FileWrite[] = [];
  readonly sets: FileSetWrite[] = [];
  readonly errors: unknown[] = [];
  /** Count of host calls by function, for tests and metrics. */
  readonly calls = new Map<HostFunctionName, number>();
}

type Impl = (sandbox: Sandbox, input: never, signal: AbortSignal, state: CallState) => Promise<Record<string, unknown>>;

function handleOf<T>(list: readonly T[], handle: number, what: string): T {
  const v = list[handle];
  if (v === undefined) throw new PluginError(`no ${what} handle ${handle} in this call`);
  return v;
}

const IMPLS: { [K in HostFunctionName]: (sandbox: Sandbox, input: ReturnType<(typeof abi)[K]['parse']>, signal: AbortSignal, state: CallState) => Promise<Record<string, unknown>> } = {
  async sandbox_grant(sandbox) {
    return { grant: sandbox.grant };
  },
  async sandbox_read_file(sandbox, i, signal) {
    const b = await sandbox.readFile(i.path, { signal });
    return b === null ? { found: false } : { found: true, ...encodeBytes(b) };
  },
  async sandbox_write_file(sandbox, i, signal, state) {
    const w = await sandbox.writeFile(i.path, bytesOf(i), { mode: i.mode, owner: i.owner, group: i.group, signal });
    return { handle: state.writes.push(w) - 1, path: w.path };
  },
  async sandbox_restore_file(sandbox, i, _signal, state) {
    // Without the call's signal: a cancel must not stop the undo.
    await sandbox.restoreFile(handleOf(state.writes, i.handle, 'file write'));
    return {};
  },
  async sandbox_write_file_set(sandbox, i, signal, state) {
    const files = i.files.map((f) => ({ path: f.path, data: bytesOf(f), ...(f.mode === undefined ? {} : { mode: f.mode }) }));
    const w = await sandbox.writeFileSet(files, { owner: i.owner, group: i.group, signal });
    return { handle: state.sets.push(w) - 1, paths: w.paths };
  },
  async sandbox_restore_file_set(sandbox, i, _signal, state) {
    await sandbox.restoreFileSet(handleOf(state.sets, i.handle, 'file set'));
    return {};
  },
  async sandbox_exec(sandbox, i, signal) {
    const r = await sandbox.exec(i.argv, { timeoutMs: i.timeoutMs, maxOutputBytes: i.maxOutputBytes, stdin: i.stdin, signal });
    return { exitCode: r.exitCode, signal: r.signal, stdout: r.stdout, stderr: r.stderr, truncated: r.truncated, timedOut: r.timedOut };
  },
  async sandbox_request(sandbox, i, signal) {
    const body = i.text === undefined && i.base64 === undefined ? undefined : bytesOf(i);
    const r = await sandbox.request({ url: i.url, method: i.method, headers: i.headers, body, timeoutMs: i.timeoutMs, ca: i.ca, signal });
    return { status: r.status, headers: r.headers, ...encodeBytes(r.body) };
  },
  async sandbox_send(sandbox, i, signal) {
    return encodeBytes(await sandbox.send(i.address, bytesOf(i), { timeoutMs: i.timeoutMs, maxResponseBytes: i.maxResponseBytes, signal }));
  },
  async sandbox_tls_probe(sandbox, i, signal) {
    const r = await sandbox.tlsProbe({ address: i.address, serverName: i.serverName, timeoutMs: i.timeoutMs, signal });
    return { fingerprints: r.fingerprints, protocol: r.protocol, leafNotAfter: r.leafNotAfter ?? null };
  },
};

/** The answer for an error: the plugin sees its class, never more than the sandbox's message. */
function errorReply(err: unknown, state: CallState): Record<string, unknown> {
  const ref = state.errors.push(err) - 1;
  const cd = err instanceof CertDeployerError;
  return {
    ok: false,
    error: {
      ref,
      code: cd ? err.code : 'CD_ERR_UNKNOWN',
      message: err instanceof Error ? err.message : String(err),
      retryable: cd ? err.retryable : true,
      denied: isDenied(err),
    },
  };
}

/** The call a host function serves: bound when the call starts (an instance may be started ahead). */
export interface CallBinding {
  readonly sandbox: Sandbox;
  readonly signal: AbortSignal;
  readonly state: CallState;
}

/**
 * The `extism:host/user` functions of one instance. `binding()` says which call they serve; with
 * none (code running while an instance is started ahead, before any call), every function
 * refuses, so such code has no way out at all.
 */
export function hostFunctions(binding: () => CallBinding | undefined): Record<HostFunctionName, (ctx: CallContext, offset: bigint) => Promise<bigint>> {
  const out = {} as Record<HostFunctionName, (ctx: CallContext, offset: bigint) => Promise<bigint>>;
  for (const name of Object.keys(IMPLS) as HostFunctionName[]) {
    out[name] = async (ctx, offset) => {
      const bound = binding();
      const state = bound?.state ?? new CallState();
      state.calls.set(name, (state.calls.get(name) ?? 0) + 1);
      let reply: Record<string, unknown>;
      try {
        if (bound === undefined) throw new PluginError(`${name}: no call is in progress (host functions serve calls only)`);
        const text = ctx.read(offset)?.text();
        let json: unknown;
        try {
          json = JSON.parse(text ?? '');
        } catch {
          throw new PluginError(`${name}: the plugin's argument is not JSON`);
        }
        const parsed = abi[name].safeParse(json);
        if (!parsed.success) throw new PluginError(`${name}: invalid argument: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
        reply = { ok: true, ...(await (IMPLS[name] as Impl)(bound.sandbox, parsed.data as never, bound.signal, state)) };
      } catch (err) {
        reply = errorReply(err, state);
      }
      return ctx.store(JSON.stringify(reply));
    };
  }
  return out;
}


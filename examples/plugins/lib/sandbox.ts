/**
 * The cert-deployer Sandbox as seen from an AssemblyScript plugin: one wrapper per host
 * function of the plugin ABI (docs/plugins.md). Each host function takes one JSON document and
 * returns one: `{"ok":true,...}` or `{"ok":false,"error":{"ref":N,"code":...,"message":...,
 * "retryable":...,"denied":...}}`. A host function never traps the plugin: a denial, an
 * unreachable host or a cancel comes back as data, so the plugin can roll back and then hand
 * the host's own error back by its `ref` (see `Result.failWith`).
 */
import { Memory } from '@extism/as-pdk';
import { JV, parse } from './json';

@external('extism:host/env', 'length')
declare function extismLength(offset: u64): u64;

@external('extism:host/user', 'sandbox_read_file')
declare function hostReadFile(offset: u64): u64;
@external('extism:host/user', 'sandbox_write_file')
declare function hostWriteFile(offset: u64): u64;
@external('extism:host/user', 'sandbox_restore_file')
declare function hostRestoreFile(offset: u64): u64;
@external('extism:host/user', 'sandbox_write_file_set')
declare function hostWriteFileSet(offset: u64): u64;
@external('extism:host/user', 'sandbox_restore_file_set')
declare function hostRestoreFileSet(offset: u64): u64;
@external('extism:host/user', 'sandbox_exec')
declare function hostExec(offset: u64): u64;
@external('extism:host/user', 'sandbox_request')
declare function hostRequest(offset: u64): u64;
@external('extism:host/user', 'sandbox_send')
declare function hostSend(offset: u64): u64;
@external('extism:host/user', 'sandbox_tls_probe')
declare function hostTlsProbe(offset: u64): u64;
@external('extism:host/user', 'sandbox_grant')
declare function hostGrant(offset: u64): u64;

/** What one host call answered. */
export class Reply {
  constructor(public ok: bool, public body: JV) {}
  /** The host's error reference (only when `!ok`). */
  get ref(): i32 {
    const e = this.body.get('error');
    return e == null ? -1 : <i32>e.num('ref', -1);
  }
  get denied(): bool {
    const e = this.body.get('error');
    return e != null && e.bool('denied');
  }
}

function read(offset: u64): string {
  if (offset == 0) return '{"ok":false,"error":{"ref":-1,"message":"no reply"}}';
  return new Memory(offset, extismLength(offset)).toString();
}

function reply(offset: u64): Reply {
  const body = parse(read(offset));
  return new Reply(body.bool('ok'), body);
}

function arg(json: string): u64 {
  return Memory.allocateString(json).offset;
}

/** Sandbox.readFile: `{"path"}` → `{"found", "text"?, "base64"?}`. */
export function readFile(json: string): Reply {
  return reply(hostReadFile(arg(json)));
}
/** Sandbox.writeFile: `{"path", "text"|"base64", "mode"?, "owner"?, "group"?}` → `{"handle"}`. */
export function writeFile(json: string): Reply {
  return reply(hostWriteFile(arg(json)));
}
/** Sandbox.restoreFile: `{"handle"}` (a handle writeFile returned in this call). */
export function restoreFile(json: string): Reply {
  return reply(hostRestoreFile(arg(json)));
}
/** Sandbox.writeFileSet: `{"files":[{"path","text"|"base64","mode"?}], "owner"?, "group"?}` → `{"handle"}`. */
export function writeFileSet(json: string): Reply {
  return reply(hostWriteFileSet(arg(json)));
}
/** Sandbox.restoreFileSet: `{"handle"}`. */
export function restoreFileSet(json: string): Reply {
  return reply(hostRestoreFileSet(arg(json)));
}
/** Sandbox.exec: `{"argv", "timeoutMs"?, "maxOutputBytes"?, "stdin"?}` → ExecResult. */
export function exec(json: string): Reply {
  return reply(hostExec(arg(json)));
}
/** Sandbox.request: `{"url","method"?,"headers"?,"text"|"base64"?,"timeoutMs"?,"ca"?}` → `{"status","headers","text"|"base64"}`. */
export function request(json: string): Reply {
  return reply(hostRequest(arg(json)));
}
/** Sandbox.send: `{"address","text"|"base64","timeoutMs"?,"maxResponseBytes"?}` → `{"text"|"base64"}`. */
export function send(json: string): Reply {
  return reply(hostSend(arg(json)));
}
/** Sandbox.tlsProbe: `{"address","serverName"?,"timeoutMs"?}` → TlsProbeResult. */
export function tlsProbe(json: string): Reply {
  return reply(hostTlsProbe(arg(json)));
}
/** Sandbox.grant: `{}` → the effective grant. */
export function grant(): Reply {
  return reply(hostGrant(arg('{}')));
}

/**
 * What a plugin's `deploy` export writes as its output: a result, a plugin error, or the
 * host's own error handed back by reference (so a DeniedError reaches the operator unchanged).
 */
import { Host } from '@extism/as-pdk';
import { quote } from './json';

/** `{"changed":…, "message":…}`. */
export function succeed(changed: bool, message: string): i32 {
  Host.outputString('{"changed":' + (changed ? 'true' : 'false') + ',"message":' + quote(message) + '}');
  return 0;
}

/** The plugin's own failure; `retryable` says whether trying again later can help. */
export function fail(retryable: bool, message: string): i32 {
  Host.outputString('{"error":{"retryable":' + (retryable ? 'true' : 'false') + ',"message":' + quote(message) + '}}');
  return 0;
}

/** Hands back the host's error `ref` (a denial, an unreachable host, a cancel) unchanged. */
export function failWith(ref: i32): i32 {
  Host.outputString('{"error":{"ref":' + ref.toString() + '}}');
  return 0;
}

/** The AssemblyScript abort hook (`--use abort=...`): the host reports the trap. */
export function abortPlugin(message: string | null, fileName: string | null, line: u32, column: u32): void {
  unreachable();
}

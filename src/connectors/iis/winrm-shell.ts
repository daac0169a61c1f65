/**
 * One WinRM remote shell over HTTPS with Basic authentication, driven through
 * `sandbox.request` only: Create a shell, run commands in it (Command, Receive until done,
 * Signal terminate), Delete it. Maps HTTP and SOAP outcomes to the project's error classes:
 * 401/403 and refused requests are terminal, 5xx and transport failures retryable; sandbox
 * errors (denials, unreachable, timeouts, aborts) pass through unchanged.
 */
import { Buffer } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { type Sandbox, retryable, terminal, redactSecrets } from '@cert-deployer/connector-sdk';
import {
  Action, commandEnvelope, commandIdOf, createShellEnvelope, deleteShellEnvelope, FAULT_CODE_OPERATION_TIMEOUT, faultOf,
  OPERATION_TIMEOUT_SECONDS, readAnswer, receiveEnvelope, receiveOutputOf, shellIdOf, signalEnvelope, WsmanProtocolError,
  type WsmanFault,
} from './wsman.ts';
import type { XmlElement } from './xml.ts';

/** Where and as whom: the listener, the Basic credentials, the CA that issued its certificate. */
export interface WinRmEndpoint {
  /** `host:port`, for messages. */
  readonly address: string;
  readonly username: string;
  readonly password: string;
  readonly ca?: string;
}

/** A finished command. */
export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Each request may wait OperationTimeout on the server; give the HTTP exchange more. */
const REQUEST_TIMEOUT_MS = (OPERATION_TIMEOUT_SECONDS + 40) * 1000;
/** Stop/cleanup requests after a failure or cancel: short, and never tied to the deploy's signal. */
const CLEANUP_TIMEOUT_MS = 15_000;
/** Script output is kilobytes; a runaway stream is cut here. */
const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;
/** WSManFault codes that retrying cannot fix. */
const TERMINAL_FAULT_CODES = new Set(['5']);
const TERMINAL_SUBCODES = /(AccessDenied|EncodingLimit|SchemaValidationError|InvalidOptions)$/;

/** Reads a part of an answer; a malformed answer is terminal (retrying gets the same one). */
function read<T>(address: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof WsmanProtocolError) throw terminal(`WinRM at ${address} sent an unexpected answer: ${err.message}`);
    throw err;
  }
}

function describeFault(f: WsmanFault): string {
  return redactSecrets([f.reason, f.message].filter((t) => t !== '').join(' ') || f.subcode || 'SOAP fault');
}

/** A shell on the host. Use `open`, then `run` per command, then always `close`. */
export class WinRmShell {
  readonly #sandbox: Sandbox;
  readonly #endpoint: WinRmEndpoint;
  readonly #url: string;
  readonly #shellId: string;

  private constructor(sandbox: Sandbox, endpoint: WinRmEndpoint, url: string, shellId: string) {
    this.#sandbox = sandbox;
    this.#endpoint = endpoint;
    this.#url = url;
    this.#shellId = shellId;
  }

  /** Creates a cmd shell on the host. */
  static async open(sandbox: Sandbox, endpoint: WinRmEndpoint, signal: AbortSignal): Promise<WinRmShell> {
    if (endpoint.username.includes(':')) throw terminal('the WinRM username must not contain ":" (HTTP Basic authentication cannot carry it)');
    const url = `https://${endpoint.address}/wsman`;
    const messageId = `uuid:${randomUUID()}`;
    const body = await exchange(sandbox, endpoint, url, createShellEnvelope(url, messageId), Action.CreateResponse, messageId, { signal });
    if (body === 'timeout') throw retryable(`WinRM at ${endpoint.address} timed out creating a shell`);
    return new WinRmShell(sandbox, endpoint, url, read(endpoint.address, () => shellIdOf(body)));
  }

  /** Runs `command args…`, reads all its output, then signals it to end. */
  async run(command: string, args: readonly string[], signal: AbortSignal): Promise<CommandResult> {
    const commandMessage = `uuid:${randomUUID()}`;
    const started = await this.#post(commandEnvelope(this.#url, commandMessage, this.#shellId, command, args), Action.CommandResponse, commandMessage, { signal });
    if (started === 'timeout') throw retryable(`WinRM at ${this.#endpoint.address} timed out starting a command`);
    const commandId = read(this.#endpoint.address, () => commandIdOf(started));
    try {
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let size = 0;
      for (;;) {
        const receiveMessage = `uuid:${randomUUID()}`;
        const answer = await this.#post(receiveEnvelope(this.#url, receiveMessage, this.#shellId, commandId), Action.ReceiveResponse, receiveMessage, { signal });
        if (answer === 'timeout') continue;
        const out = read(this.#endpoint.address, () => receiveOutputOf(answer, commandId));
        stdout.push(Buffer.from(out.stdout));
        stderr.push(Buffer.from(out.stderr));
        size += out.stdout.byteLength + out.stderr.byteLength;
        if (size > MAX_OUTPUT_BYTES) throw terminal(`a command on ${this.#endpoint.address} wrote more than ${MAX_OUTPUT_BYTES} bytes`);
        if (out.done) {
          await this.#signal(commandId, { signal });
          return { exitCode: out.exitCode ?? -1, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') };
        }
      }
    } catch (err) {
      // Stop the command on the host before anyone undoes its effects (a cancel, a lost answer).
      await this.#signal(commandId, { timeoutMs: CLEANUP_TIMEOUT_MS }).catch(() => undefined);
      throw err;
    }
  }

  /** Deletes the shell; best effort, never tied to a (possibly aborted) deploy signal. */
  async close(): Promise<void> {
    const messageId = `uuid:${randomUUID()}`;
    await this.#post(deleteShellEnvelope(this.#url, messageId, this.#shellId), Action.DeleteResponse, messageId, { timeoutMs: CLEANUP_TIMEOUT_MS }).catch(() => undefined);
  }

  async #signal(commandId: string, opts: { signal?: AbortSignal; timeoutMs?: number }): Promise<void> {
    const messageId = `uuid:${randomUUID()}`;
    await this.#post(signalEnvelope(this.#url, messageId, this.#shellId, commandId), Action.SignalResponse, messageId, opts);
  }

  #post(envelope: string, expected: string, messageId: string, opts: { signal?: AbortSignal; timeoutMs?: number }): Promise<XmlElement | 'timeout'> {
    return exchange(this.#sandbox, this.#endpoint, this.#url, envelope, expected, messageId, opts);
  }
}

/** One POST to the listener; the answer's Body, `'timeout'` for an operation timeout fault, or a classified error. */
async function exchange(
  sandbox: Sandbox, endpoint: WinRmEndpoint, url: string, envelope: string, expected: string, messageId: string,
  opts: { signal?: AbortSignal; timeoutMs?: number },
): Promise<XmlElement | 'timeout'> {
  const credentials = Buffer.from(`${endpoint.username}:${endpoint.password}`, 'utf8').toString('base64');
  const res = await sandbox.request({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/soap+xml;charset=UTF-8', authorization: `Basic ${credentials}` },
    body: envelope,
    timeoutMs: opts.timeoutMs ?? REQUEST_TIMEOUT_MS,
    ...(endpoint.ca === undefined ? {} : { ca: endpoint.ca }),
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
  });
  const text = Buffer.from(res.body).toString('utf8');
  const where = `WinRM at ${endpoint.address}`;
  if (res.status === 401) throw terminal(`${where} refused the credentials (HTTP 401): check that Basic authentication is enabled on the HTTPS listener and the Secret's username and password`);
  if (res.status === 403) throw terminal(`${where} refused access (HTTP 403)`);
  if (res.status === 200) return read(endpoint.address, () => readAnswer(text, expected, messageId));
  const fault = faultOf(text);
  if (fault !== null && fault.wsmanCode === FAULT_CODE_OPERATION_TIMEOUT) return 'timeout';
  if (fault !== null && (TERMINAL_FAULT_CODES.has(fault.wsmanCode) || TERMINAL_SUBCODES.test(fault.subcode))) {
    throw terminal(`${where} refused the request: ${describeFault(fault)}`);
  }
  if (res.status >= 500) throw retryable(`${where} answered HTTP ${res.status}${fault === null ? '' : `: ${describeFault(fault)}`}`);
  throw terminal(`${where} answered HTTP ${res.status}${fault === null ? '' : `: ${describeFault(fault)}`}`);
}

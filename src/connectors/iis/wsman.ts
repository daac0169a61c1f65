/**
 * The WS-Management remote shell exchange of [MS-WSMV] §3.1.4 as plain functions: build the
 * SOAP 1.2 envelopes for Create (shell), Command, Receive, Signal and Delete against the
 * `windows/shell/cmd` resource, and read the answers (shell id, command id, output streams
 * and exit code, faults). Pure: no I/O, so envelopes are unit-tested byte for byte and the
 * transport lives in `winrm-shell.ts`.
 */
import { ConnectorError, ErrorCode, hasCode } from '@cert-deployer/connector-sdk';
import { Buffer } from 'node:buffer';
import { childOf, childrenOf, descendantsOf, escapeXml, parseXml, XmlError, type XmlElement } from './xml.ts';

/** Namespace URIs of the envelope parts. */
export const NS = {
  soap: 'http://www.w3.org/2003/05/soap-envelope',
  addressing: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  wsman: 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
  msWsman: 'http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd',
  shell: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
  transfer: 'http://schemas.xmlsoap.org/ws/2004/09/transfer',
  fault: 'http://schemas.microsoft.com/wbem/wsman/1/wsmanfault',
} as const;

/** The Text-based Command Shell resource (cmd.exe), on which powershell.exe runs. */
export const SHELL_RESOURCE_URI = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd';
const ANONYMOUS = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous';

/** Request actions and the action each answer carries. */
export const Action = {
  Create: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Create',
  CreateResponse: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse',
  Delete: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete',
  DeleteResponse: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/DeleteResponse',
  Command: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command',
  CommandResponse: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandResponse',
  Receive: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive',
  ReceiveResponse: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/ReceiveResponse',
  Signal: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal',
  SignalResponse: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/SignalResponse',
} as const;

/** Signal code that ends a command (sent after its output is read, or to stop it). */
export const SIGNAL_TERMINATE = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/terminate';
/** CommandState value once the command has exited. */
export const COMMAND_STATE_DONE = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done';
/** WSManFault code of a Receive whose OperationTimeout passed with no output: ask again. */
export const FAULT_CODE_OPERATION_TIMEOUT = '2150858793';
/** Largest answer we accept, announced in every request (pywinrm's and winrs' default). */
export const MAX_ENVELOPE_SIZE = 153_600;
/** Server-side wait of each request; a Receive with no output answers with a timeout fault after it. */
export const OPERATION_TIMEOUT_SECONDS = 20;

export interface RequestHeader {
  readonly action: string;
  /** The listener URL (`https://host:5986/wsman`). */
  readonly to: string;
  /** `uuid:…`, echoed back as RelatesTo. */
  readonly messageId: string;
  readonly shellId?: string;
  /** WS-Man options (`WINRS_NOPROFILE`, …) in order. */
  readonly options?: readonly (readonly [string, string])[];
}

function envelope(h: RequestHeader, body: string): string {
  const selector = h.shellId === undefined ? '' : `<w:SelectorSet><w:Selector Name="ShellId">${escapeXml(h.shellId)}</w:Selector></w:SelectorSet>`;
  const options = h.options === undefined || h.options.length === 0
    ? ''
    : `<w:OptionSet>${h.options.map(([n, v]) => `<w:Option Name="${escapeXml(n)}">${escapeXml(v)}</w:Option>`).join('')}</w:OptionSet>`;
  return [
    `<s:Envelope xmlns:s="${NS.soap}" xmlns:a="${NS.addressing}" xmlns:w="${NS.wsman}" xmlns:p="${NS.msWsman}" xmlns:rsp="${NS.shell}">`,
    '<s:Header>',
    `<a:To>${escapeXml(h.to)}</a:To>`,
    `<a:ReplyTo><a:Address s:mustUnderstand="true">${ANONYMOUS}</a:Address></a:ReplyTo>`,
    `<a:Action s:mustUnderstand="true">${escapeXml(h.action)}</a:Action>`,
    `<w:MaxEnvelopeSize s:mustUnderstand="true">${MAX_ENVELOPE_SIZE}</w:MaxEnvelopeSize>`,
    `<a:MessageID>${escapeXml(h.messageId)}</a:MessageID>`,
    '<w:Locale xml:lang="en-US" s:mustUnderstand="false"/>',
    '<p:DataLocale xml:lang="en-US" s:mustUnderstand="false"/>',
    `<w:OperationTimeout>PT${OPERATION_TIMEOUT_SECONDS}S</w:OperationTimeout>`,
    `<w:ResourceURI s:mustUnderstand="true">${SHELL_RESOURCE_URI}</w:ResourceURI>`,
    selector,
    options,
    '</s:Header>',
    `<s:Body>${body}</s:Body>`,
    '</s:Envelope>',
  ].join('');
}

/** Create: a cmd shell with no profile, UTF-8 output, stdin in and stdout/stderr out. */
export function createShellEnvelope(to: string, messageId: string): string {
  const options = [['WINRS_NOPROFILE', 'TRUE'], ['WINRS_CODEPAGE', '65001']] as const;
  return envelope({ action: Action.Create, to, messageId, options }, '<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>');
}

/** Command: runs `command` with `args` in the shell (WinRS joins them with spaces). */
export function commandEnvelope(to: string, messageId: string, shellId: string, command: string, args: readonly string[]): string {
  const options = [['WINRS_CONSOLEMODE_STDIN', 'TRUE'], ['WINRS_SKIP_CMD_SHELL', 'FALSE']] as const;
  const argXml = args.map((a) => `<rsp:Arguments>${escapeXml(a)}</rsp:Arguments>`).join('');
  return envelope({ action: Action.Command, to, messageId, shellId, options }, `<rsp:CommandLine><rsp:Command>${escapeXml(command)}</rsp:Command>${argXml}</rsp:CommandLine>`);
}

/** Receive: the next stdout/stderr output of one command. */
export function receiveEnvelope(to: string, messageId: string, shellId: string, commandId: string): string {
  return envelope({ action: Action.Receive, to, messageId, shellId }, `<rsp:Receive><rsp:DesiredStream CommandId="${escapeXml(commandId)}">stdout stderr</rsp:DesiredStream></rsp:Receive>`);
}

/** Signal: sends `code` (terminate) to one command. */
export function signalEnvelope(to: string, messageId: string, shellId: string, commandId: string, code = SIGNAL_TERMINATE): string {
  return envelope({ action: Action.Signal, to, messageId, shellId }, `<rsp:Signal CommandId="${escapeXml(commandId)}"><rsp:Code>${escapeXml(code)}</rsp:Code></rsp:Signal>`);
}

/** Delete: closes the shell. */
export function deleteShellEnvelope(to: string, messageId: string, shellId: string): string {
  return envelope({ action: Action.Delete, to, messageId, shellId }, '');
}

/** An answer that is not the documented one (wrong action, no RelatesTo, missing ids). */
export class WsmanProtocolError extends ConnectorError {
  constructor(message: string) {
    super(message, { retryable: true });
    this.name = 'WsmanProtocolError';
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof Error && value.name === 'WsmanProtocolError' && hasCode(value, ErrorCode.Connector);
  }
}

/**
 * Parses an answer, checks it is a SOAP envelope with `expectedAction` relating to
 * `messageId`, and returns its Body.
 */
export function readAnswer(text: string, expectedAction: string, messageId: string): XmlElement {
  let doc: XmlElement;
  try {
    doc = parseXml(text);
  } catch (err) {
    throw new WsmanProtocolError(`the answer is not XML (${err instanceof XmlError ? err.message : 'unreadable'})`);
  }
  const header = doc.ns === NS.soap && doc.name === 'Envelope' ? childOf(doc, NS.soap, 'Header') : undefined;
  const body = childOf(doc, NS.soap, 'Body');
  if (header === undefined || body === undefined) throw new WsmanProtocolError('the answer is not a SOAP 1.2 envelope');
  const action = childOf(header, NS.addressing, 'Action')?.text.trim();
  if (action !== expectedAction) throw new WsmanProtocolError(`expected action ${expectedAction}, got ${action ?? 'none'}`);
  const relatesTo = childOf(header, NS.addressing, 'RelatesTo')?.text.trim();
  if (relatesTo?.toLowerCase() !== messageId.toLowerCase()) throw new WsmanProtocolError('the answer does not relate to the request (RelatesTo)');
  return body;
}

/** The ShellId selector of a CreateResponse body. */
export function shellIdOf(body: XmlElement): string {
  const created = childOf(body, NS.transfer, 'ResourceCreated');
  const selector = created === undefined ? [] : descendantsOf(created, NS.wsman, 'Selector').filter((s) => s.attrs.Name === 'ShellId');
  const id = selector[0]?.text.trim() ?? childOf(body, NS.shell, 'Shell')?.children.find((c) => c.name === 'ShellId')?.text.trim();
  if (id === undefined || id === '') throw new WsmanProtocolError('CreateResponse carries no ShellId');
  return id;
}

/** The CommandId of a CommandResponse body. */
export function commandIdOf(body: XmlElement): string {
  const response = childOf(body, NS.shell, 'CommandResponse');
  const id = response === undefined ? undefined : childOf(response, NS.shell, 'CommandId')?.text.trim();
  if (id === undefined || id === '') throw new WsmanProtocolError('CommandResponse carries no CommandId');
  return id;
}

/** One ReceiveResponse: decoded output chunks, and the exit code once the command is done. */
export interface ReceiveOutput {
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
  readonly done: boolean;
  readonly exitCode: number | null;
}

/** Reads a ReceiveResponse body for `commandId`. */
export function receiveOutputOf(body: XmlElement, commandId: string): ReceiveOutput {
  const response = childOf(body, NS.shell, 'ReceiveResponse');
  if (response === undefined) throw new WsmanProtocolError('the answer carries no ReceiveResponse');
  const out: Record<'stdout' | 'stderr', Buffer[]> = { stdout: [], stderr: [] };
  for (const stream of childrenOf(response, NS.shell, 'Stream')) {
    if (stream.attrs.CommandId !== undefined && stream.attrs.CommandId.toLowerCase() !== commandId.toLowerCase()) continue;
    const name = stream.attrs.Name;
    const data = stream.text.trim();
    if ((name === 'stdout' || name === 'stderr') && data !== '') {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data)) throw new WsmanProtocolError(`stream ${name} is not base64`);
      out[name].push(Buffer.from(data, 'base64'));
    }
  }
  const state = childrenOf(response, NS.shell, 'CommandState').find((s) => s.attrs.CommandId === undefined || s.attrs.CommandId.toLowerCase() === commandId.toLowerCase());
  const done = state?.attrs.State === COMMAND_STATE_DONE;
  const exitText = state === undefined ? undefined : childOf(state, NS.shell, 'ExitCode')?.text.trim();
  const exitCode = done && exitText !== undefined && /^-?[0-9]{1,10}$/.test(exitText) ? Number(exitText) : null;
  if (done && exitCode === null) throw new WsmanProtocolError('the command is done but reports no exit code');
  return { stdout: Buffer.concat(out.stdout), stderr: Buffer.concat(out.stderr), done, exitCode };
}

/** A SOAP fault as WinRM reports it (HTTP 500 with a Fault body). */
export interface WsmanFault {
  readonly code: string;
  readonly subcode: string;
  readonly reason: string;
  /** `WSManFault/@Code`, e.g. `2150858793` (operation timeout) or `5` (access denied). */
  readonly wsmanCode: string;
  readonly message: string;
}

/** The fault in `text`, or null when it is not a SOAP fault. */
export function faultOf(text: string): WsmanFault | null {
  let doc: XmlElement;
  try {
    doc = parseXml(text);
  } catch {
    return null;
  }
  const body = childOf(doc, NS.soap, 'Body');
  const fault = body === undefined ? undefined : childOf(body, NS.soap, 'Fault');
  if (fault === undefined) return null;
  const code = childOf(fault, NS.soap, 'Code');
  const subcode = code === undefined ? undefined : childOf(code, NS.soap, 'Subcode');
  const reason = childOf(fault, NS.soap, 'Reason');
  const detail = childOf(fault, NS.soap, 'Detail');
  const wsmanFault = detail === undefined ? undefined : childOf(detail, NS.fault, 'WSManFault');
  return {
    code: (code === undefined ? undefined : childOf(code, NS.soap, 'Value')?.text.trim()) ?? '',
    subcode: (subcode === undefined ? undefined : childOf(subcode, NS.soap, 'Value')?.text.trim()) ?? '',
    reason: (reason === undefined ? undefined : childOf(reason, NS.soap, 'Text')?.text.trim()) ?? '',
    wsmanCode: wsmanFault?.attrs.Code ?? '',
    message: (wsmanFault === undefined ? undefined : childOf(wsmanFault, NS.fault, 'Message')?.text.trim()) ?? '',
  };
}

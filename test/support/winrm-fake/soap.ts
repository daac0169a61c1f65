/**
 * The fake's side of [MS-WSMV]: answer envelopes (CreateResponse, CommandResponse,
 * ReceiveResponse, SignalResponse, DeleteResponse) and SOAP faults, written with prefixes
 * other than the client's so the client's namespace handling is exercised, and the request
 * header checks every WS-Man request must pass.
 */
import { randomUUID } from 'node:crypto';
import { childOf, descendantsOf, escapeXml, type XmlElement } from '../../../src/connectors/iis/xml.ts';

export const NS = {
  soap: 'http://www.w3.org/2003/05/soap-envelope',
  addressing: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  wsman: 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
  shell: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
  transfer: 'http://schemas.xmlsoap.org/ws/2004/09/transfer',
  fault: 'http://schemas.microsoft.com/wbem/wsman/1/wsmanfault',
} as const;
export const CMD_RESOURCE = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd';
const SHELL = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell';
const TRANSFER = 'http://schemas.xmlsoap.org/ws/2004/09/transfer';
export const ACTIONS = {
  create: `${TRANSFER}/Create`,
  delete: `${TRANSFER}/Delete`,
  command: `${SHELL}/Command`,
  receive: `${SHELL}/Receive`,
  signal: `${SHELL}/Signal`,
} as const;
const ANONYMOUS = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous';
export const TERMINATE = `${SHELL}/signal/terminate`;

/** The parts of a request header a handler needs, after the checks every request must pass. */
export interface RequestHeader {
  readonly action: string;
  readonly messageId: string;
  readonly shellId: string | undefined;
  readonly options: ReadonlyMap<string, string>;
}

/** Checks the WS-Addressing / WS-Management header; returns what is wrong, or the header. */
export function checkHeader(doc: XmlElement, url: string): RequestHeader | string {
  if (doc.ns !== NS.soap || doc.name !== 'Envelope') return 'root is not a SOAP 1.2 Envelope';
  const header = childOf(doc, NS.soap, 'Header');
  if (header === undefined || childOf(doc, NS.soap, 'Body') === undefined) return 'Header or Body missing';
  const text = (ns: string, name: string) => childOf(header, ns, name)?.text.trim();
  if (text(NS.addressing, 'To') !== url) return `To is ${text(NS.addressing, 'To')}, not ${url}`;
  const replyTo = childOf(header, NS.addressing, 'ReplyTo');
  if (replyTo === undefined || childOf(replyTo, NS.addressing, 'Address')?.text.trim() !== ANONYMOUS) return 'ReplyTo/Address must be anonymous';
  if (text(NS.wsman, 'ResourceURI') !== CMD_RESOURCE) return `ResourceURI is ${text(NS.wsman, 'ResourceURI')}`;
  const messageId = text(NS.addressing, 'MessageID') ?? '';
  if (!/^uuid:[0-9a-fA-F-]{36}$/.test(messageId)) return `MessageID ${messageId} is not uuid:<uuid>`;
  const max = Number(text(NS.wsman, 'MaxEnvelopeSize'));
  if (!Number.isInteger(max) || max < 8192) return 'MaxEnvelopeSize missing or too small';
  if (!/^PT[0-9]+(\.[0-9]+)?S$/.test(text(NS.wsman, 'OperationTimeout') ?? '')) return 'OperationTimeout missing or not an xs:duration in seconds';
  const action = text(NS.addressing, 'Action') ?? '';
  const selectors = descendantsOf(header, NS.wsman, 'Selector').filter((s) => s.attrs.Name === 'ShellId');
  const options = new Map(descendantsOf(header, NS.wsman, 'Option').map((o) => [o.attrs.Name ?? '', o.text.trim()]));
  return { action, messageId, shellId: selectors[0]?.text.trim(), options };
}

function envelope(action: string, relatesTo: string, body: string): string {
  return [
    `<env:Envelope xmlns:env="${NS.soap}" xmlns:wsa="${NS.addressing}" xmlns:wsman="${NS.wsman}" xmlns:shell="${NS.shell}" xmlns:wxf="${NS.transfer}" xml:lang="en-US">`,
    `<env:Header><wsa:Action>${action}</wsa:Action><wsa:MessageID>uuid:${randomUUID().toUpperCase()}</wsa:MessageID>`,
    `<wsa:To>${ANONYMOUS}</wsa:To><wsa:RelatesTo>${escapeXml(relatesTo)}</wsa:RelatesTo></env:Header>`,
    `<env:Body>${body}</env:Body></env:Envelope>`,
  ].join('');
}

export function createResponse(relatesTo: string, url: string, shellId: string): string {
  return envelope(`${TRANSFER}/CreateResponse`, relatesTo, [
    `<wxf:ResourceCreated><wsa:Address>${escapeXml(url)}</wsa:Address><wsa:ReferenceParameters>`,
    `<wsman:ResourceURI>${CMD_RESOURCE}</wsman:ResourceURI><wsman:SelectorSet><wsman:Selector Name="ShellId">${shellId}</wsman:Selector></wsman:SelectorSet>`,
    `</wsa:ReferenceParameters></wxf:ResourceCreated>`,
    `<shell:Shell><shell:ShellId>${shellId}</shell:ShellId><shell:ResourceUri>${CMD_RESOURCE}</shell:ResourceUri><shell:InputStreams>stdin</shell:InputStreams><shell:OutputStreams>stdout stderr</shell:OutputStreams></shell:Shell>`,
  ].join(''));
}

export function commandResponse(relatesTo: string, commandId: string): string {
  return envelope(`${SHELL}/CommandResponse`, relatesTo, `<shell:CommandResponse><shell:CommandId>${commandId}</shell:CommandId></shell:CommandResponse>`);
}

export function receiveResponse(relatesTo: string, commandId: string, stdout: string, stderr: string, exitCode: number): string {
  const stream = (name: string, data: string) => {
    const b64 = Buffer.from(data, 'utf8').toString('base64');
    return `${b64 === '' ? '' : `<shell:Stream Name="${name}" CommandId="${commandId}">${b64}</shell:Stream>`}<shell:Stream Name="${name}" CommandId="${commandId}" End="true"></shell:Stream>`;
  };
  return envelope(`${SHELL}/ReceiveResponse`, relatesTo, [
    `<shell:ReceiveResponse>${stream('stdout', stdout)}${stream('stderr', stderr)}`,
    `<shell:CommandState CommandId="${commandId}" State="${SHELL}/CommandState/Done"><shell:ExitCode>${exitCode}</shell:ExitCode></shell:CommandState>`,
    `</shell:ReceiveResponse>`,
  ].join(''));
}

export function signalResponse(relatesTo: string): string {
  return envelope(`${SHELL}/SignalResponse`, relatesTo, '<shell:SignalResponse/>');
}

export function deleteResponse(relatesTo: string): string {
  return envelope(`${TRANSFER}/DeleteResponse`, relatesTo, '');
}

/** A SOAP fault as WinRM sends it (HTTP 500). */
export function fault(relatesTo: string, subcode: string, wsmanCode: string, reason: string): string {
  return envelope('http://schemas.dmtf.org/wbem/wsman/1/wsman/fault', relatesTo, [
    `<env:Fault><env:Code><env:Value>env:Receiver</env:Value><env:Subcode><env:Value>wsman:${subcode}</env:Value></env:Subcode></env:Code>`,
    `<env:Reason><env:Text xml:lang="en-US">${escapeXml(reason)}</env:Text></env:Reason>`,
    `<env:Detail><f:WSManFault xmlns:f="${NS.fault}" Code="${wsmanCode}" Machine="fake-iis"><f:Message>${escapeXml(reason)}</f:Message></f:WSManFault></env:Detail></env:Fault>`,
  ].join(''));
}

/** The fault of a Receive whose OperationTimeout passed with no output. */
export function operationTimeoutFault(relatesTo: string): string {
  return fault(relatesTo, 'TimedOut', '2150858793', 'The WS-Management service cannot complete the operation within the time specified in OperationTimeout.');
}

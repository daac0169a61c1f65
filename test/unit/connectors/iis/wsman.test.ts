/**
 * The WS-Management envelope builder and answer reader, and the XML reader under them:
 * requests carry the documented headers (checked by the fake's own header check), answers
 * are read by namespace rather than prefix, faults and timeouts are recognised, and anything
 * off-protocol is refused rather than half-read.
 */
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import {
  Action, commandEnvelope, commandIdOf, createShellEnvelope, deleteShellEnvelope, faultOf, readAnswer, receiveEnvelope, receiveOutputOf,
  shellIdOf, signalEnvelope, SIGNAL_TERMINATE, WsmanProtocolError,
} from '../../../../src/connectors/iis/wsman.ts';
import { childOf, escapeXml, parseXml, XmlError } from '../../../../src/connectors/iis/xml.ts';
import * as fake from '../../../support/winrm-fake/soap.ts';

const URL = 'https://win.example.test:5986/wsman';
const MID = 'uuid:6c3c0b06-8f0a-4b5e-9d51-0f6b8d1b8a10';
const SHELL = '0A1B2C3D-0000-4000-8000-000000000001';
const CMD = '0A1B2C3D-0000-4000-8000-000000000002';

describe('request envelopes', () => {
  it.each([
    ['Create', createShellEnvelope(URL, MID), Action.Create, undefined],
    ['Command', commandEnvelope(URL, MID, SHELL, 'powershell.exe', ['-NoLogo', 'a&b<c>']), Action.Command, SHELL],
    ['Receive', receiveEnvelope(URL, MID, SHELL, CMD), Action.Receive, SHELL],
    ['Signal', signalEnvelope(URL, MID, SHELL, CMD), Action.Signal, SHELL],
    ['Delete', deleteShellEnvelope(URL, MID, SHELL), Action.Delete, SHELL],
  ])('%s passes the WS-Man header checks with its action and shell selector', (_name, xml, action, shellId) => {
    const h = fake.checkHeader(parseXml(xml), URL);
    expect(typeof h === 'string' ? h : { action: h.action, messageId: h.messageId, shellId: h.shellId }).toEqual({ action, messageId: MID, shellId });
  });

  it('Command carries the program and each argument, escaped, and the cmd-shell options', () => {
    const doc = parseXml(commandEnvelope(URL, MID, SHELL, 'powershell.exe', ['-NoLogo', 'a&b<c>"\'']));
    const h = fake.checkHeader(doc, URL);
    if (typeof h === 'string') throw new Error(h);
    expect(Object.fromEntries(h.options)).toEqual({ WINRS_CONSOLEMODE_STDIN: 'TRUE', WINRS_SKIP_CMD_SHELL: 'FALSE' });
    const line = childOf(childOf(doc, fake.NS.soap, 'Body')!, fake.NS.shell, 'CommandLine')!;
    expect(line.children.map((c) => [c.name, c.text])).toEqual([['Command', 'powershell.exe'], ['Arguments', '-NoLogo'], ['Arguments', 'a&b<c>"\'']]);
  });

  it('Create asks for UTF-8 output without a profile; Signal sends terminate for the command', () => {
    const h = fake.checkHeader(parseXml(createShellEnvelope(URL, MID)), URL);
    if (typeof h === 'string') throw new Error(h);
    expect(Object.fromEntries(h.options)).toEqual({ WINRS_NOPROFILE: 'TRUE', WINRS_CODEPAGE: '65001' });
    const signal = childOf(childOf(parseXml(signalEnvelope(URL, MID, SHELL, CMD)), fake.NS.soap, 'Body')!, fake.NS.shell, 'Signal')!;
    expect(signal.attrs.CommandId).toBe(CMD);
    expect(childOf(signal, fake.NS.shell, 'Code')?.text).toBe(SIGNAL_TERMINATE);
  });
});

describe('answers', () => {
  it('reads ShellId, CommandId and output from answers written with other prefixes', () => {
    expect(shellIdOf(readAnswer(fake.createResponse(MID, URL, SHELL), Action.CreateResponse, MID))).toBe(SHELL);
    expect(commandIdOf(readAnswer(fake.commandResponse(MID, CMD), Action.CommandResponse, MID))).toBe(CMD);
    const out = receiveOutputOf(readAnswer(fake.receiveResponse(MID, CMD, '{"ok":true}', 'warn ✓', 3), Action.ReceiveResponse, MID), CMD);
    expect({ ...out, stdout: Buffer.from(out.stdout).toString(), stderr: Buffer.from(out.stderr).toString() }).toEqual({ stdout: '{"ok":true}', stderr: 'warn ✓', done: true, exitCode: 3 });
  });

  it('a Receive answer without a Done state is not done and has no exit code; other commands\' streams are ignored', () => {
    const xml = fake.receiveResponse(MID, CMD, 'mine', '', 0)
      .replace(/<shell:CommandState[\s\S]*?<\/shell:CommandState>/, '')
      .replace('<shell:ReceiveResponse>', `<shell:ReceiveResponse><shell:Stream Name="stdout" CommandId="OTHER">${Buffer.from('theirs').toString('base64')}</shell:Stream>`);
    const out = receiveOutputOf(readAnswer(xml, Action.ReceiveResponse, MID), CMD);
    expect([Buffer.from(out.stdout).toString(), out.done, out.exitCode]).toEqual(['mine', false, null]);
  });

  it.each([
    ['a wrong action', fake.signalResponse(MID), Action.CreateResponse, MID, /expected action/],
    ['a wrong RelatesTo', fake.signalResponse('uuid:00000000-0000-0000-0000-000000000000'), Action.SignalResponse, MID, /RelatesTo/],
    ['not XML', 'Service Unavailable', Action.SignalResponse, MID, /not XML/],
    ['not SOAP', '<html><body>proxy</body></html>', Action.SignalResponse, MID, /not a SOAP 1.2 envelope/],
  ])('refuses %s', (_what, xml, action, mid, pattern) => {
    expect(() => readAnswer(xml, action, mid)).toThrow(WsmanProtocolError);
    expect(() => readAnswer(xml, action, mid)).toThrow(pattern);
  });

  it('refuses a CreateResponse without ShellId and a done command without exit code', () => {
    expect(() => shellIdOf(readAnswer(fake.deleteResponse(MID).replace('DeleteResponse', 'CreateResponse'), Action.CreateResponse, MID))).toThrow(/no ShellId/);
    const noExit = fake.receiveResponse(MID, CMD, '', '', 0).replace(/<shell:ExitCode>0<\/shell:ExitCode>/, '');
    expect(() => receiveOutputOf(readAnswer(noExit, Action.ReceiveResponse, MID), CMD)).toThrow(/no exit code/);
  });

  it('reads faults: the operation timeout code, subcode, reason', () => {
    expect(faultOf(fake.operationTimeoutFault(MID))).toMatchObject({ wsmanCode: '2150858793', subcode: 'wsman:TimedOut', code: 'env:Receiver' });
    expect(faultOf(fake.fault(MID, 'AccessDenied', '5', 'Access is denied.'))).toMatchObject({ wsmanCode: '5', reason: 'Access is denied.', message: 'Access is denied.' });
    expect(faultOf('<html/>')).toBeNull();
    expect(faultOf('not xml')).toBeNull();
  });
});

describe('xml reader', () => {
  it('resolves namespaces by URI, decodes entities, references and CDATA, skips comments and declarations', () => {
    const doc = parseXml('<?xml version="1.0" encoding="utf-8"?><!-- c --><a:root xmlns:a="urn:a" xmlns="urn:d"><child k="1 &gt; 0" x:y="v" xmlns:x="urn:x">t &amp; &#65;&#x42; <![CDATA[<raw>]]></child></a:root>');
    expect([doc.ns, doc.name]).toEqual(['urn:a', 'root']);
    const child = childOf(doc, 'urn:d', 'child');
    expect(child?.text).toBe('t & AB <raw>');
    expect(child?.attrs).toEqual({ k: '1 > 0', y: 'v' });
  });

  it.each([
    ['a DOCTYPE', '<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>'],
    ['an undeclared prefix', '<p:x/>'],
    ['mismatched tags', '<a><b></a></b>'],
    ['unclosed elements', '<a><b>'],
    ['two roots', '<a/><b/>'],
    ['a bare ampersand', '<a>x & y</a>'],
    ['an unknown entity', '<a>&nbsp;</a>'],
    ['a NUL reference', '<a>&#0;</a>'],
    ['duplicate attributes', '<a k="1" k="2"/>'],
    ['text outside the root', 'x<a/>'],
    ['nothing', '  '],
    ['deep nesting', `${'<a>'.repeat(100)}${'</a>'.repeat(100)}`],
  ])('refuses %s', (_what, xml) => {
    expect(() => parseXml(xml)).toThrow(XmlError);
  });

  it('escapes the five special characters', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
    expect(parseXml(`<a v="${escapeXml('"<&>\'')}">${escapeXml('<&>')}</a>`)).toMatchObject({ attrs: { v: '"<&>\'' }, text: '<&>' });
  });
});

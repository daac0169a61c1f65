/**
 * A WinRM listener fake: HTTPS on a loopback port (certificate from a test CA), HTTP Basic
 * authentication, and the documented WS-Management remote shell exchange — Create a cmd
 * shell, Command, Receive (with OperationTimeout faults while a command runs), Signal
 * terminate, Delete. Commands must be `powershell.exe -NoLogo -NoProfile -NonInteractive
 * -EncodedCommand <base64 UTF-16LE>` within cmd.exe's 8191-character limit; the script runs on
 * the in-memory IIS host through the documented-vocabulary interpreter. Anything malformed or
 * unknown is answered like Windows would (fault, error exit) AND recorded in `violations`,
 * which tests assert empty.
 */
import { Buffer } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseXml, childOf, childrenOf, type XmlElement } from '../../../src/connectors/iis/xml.ts';
import { mintChain } from '../certs/index.ts';
import { IisHost } from './iis-host.ts';
import { runScript, UnknownScriptError, type ScriptRun } from './ps-interpreter.ts';
import * as soap from './soap.ts';
import { isBindingScript, VOCABULARY } from './vocabulary.ts';

const MAX_ENVELOPE_BYTES = 500 * 1024;
const MAX_COMMAND_LINE = 8191;
const SWITCHES = ['-NoLogo', '-NoProfile', '-NonInteractive', '-EncodedCommand'];
/** How long a Receive waits for a running command before answering with a timeout fault. */
const RECEIVE_HOLD_MS = 300;

interface Command {
  run?: ScriptRun;
  finished: Promise<void>;
  timer?: NodeJS.Timeout;
  cancel?: () => void;
  terminated: boolean;
}

/** One command the fake ran: the script's body lines and parameters (secrets included: test-only). */
export interface CommandRecord {
  readonly body: readonly string[];
  readonly params: Readonly<Record<string, string | number>>;
  readonly exitCode: number;
  readonly commandLineLength: number;
}

export interface WinrmFake {
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  /** The CA that issued the listener certificate (for the connector's `caBundle`). */
  readonly caPem: string;
  readonly host: IisHost;
  readonly credentials: { username: string; password: string };
  /** Requests by action (short name) and HTTP-level outcome. */
  readonly requests: { create: number; command: number; receive: number; signal: number; delete: number; unauthorized: number };
  readonly commands: CommandRecord[];
  readonly violations: string[];
  /** Shells currently open. */
  readonly openShells: () => number;
  /** The next `count` requests get HTTP `status` (a SOAP fault body for 5xx), or a dropped connection for status 0. */
  failNext(status: number, count?: number): void;
  close(): Promise<void>;
}

export interface WinrmFakeOptions {
  readonly username?: string;
  readonly password?: string;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_ENVELOPE_BYTES + 1) chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Starts the fake on a free loopback port. */
export async function startWinrmFake(opts: WinrmFakeOptions = {}): Promise<WinrmFake> {
  const pki = await mintChain({ name: 'WinRM Fake', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], intermediates: 1 });
  const host = new IisHost();
  const credentials = { username: opts.username ?? 'Administrator', password: opts.password ?? 'P@ss:w0rd ünïcode' };
  const requests = { create: 0, command: 0, receive: 0, signal: 0, delete: 0, unauthorized: 0 };
  const commands: CommandRecord[] = [];
  const violations: string[] = [];
  const shells = new Map<string, Map<string, Command>>();
  const failures: number[] = [];
  let url = '';

  const send = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'application/soap+xml;charset=UTF-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const violation = (res: ServerResponse, relatesTo: string, what: string) => {
    violations.push(what);
    send(res, 500, soap.fault(relatesTo, 'InvalidParameter', '2150858882', `fake: ${what}`));
  };

  async function execute(commandLine: string[], cmd: Command): Promise<void> {
    const line = commandLine.join(' ');
    const record = (run: ScriptRun) => {
      cmd.run = run;
      commands.push({ body: run.body, params: run.params, exitCode: run.exitCode, commandLineLength: line.length });
    };
    if (line.length > MAX_COMMAND_LINE) {
      violations.push(`command line of ${line.length} characters`);
      return record({ exitCode: 1, stdout: '', stderr: 'The command line is too long.\r\n', body: [], params: {} });
    }
    const [program, ...args] = commandLine;
    if (program !== 'powershell.exe' || args.length !== SWITCHES.length + 1 || SWITCHES.some((s, i) => args[i] !== s)) {
      violations.push(`unexpected command ${line.slice(0, 80)}`);
      return record({ exitCode: 1, stdout: '', stderr: `'${program}' is not recognized as an internal or external command.\r\n`, body: [], params: {} });
    }
    const script = Buffer.from(args.at(-1) as string, 'base64').toString('utf16le');
    try {
      const parsedBody = script.split('\n');
      if (host.faults.slowBindMs > 0 && isBindingScript(parsedBody)) {
        await new Promise<void>((resolve, reject) => {
          cmd.timer = setTimeout(resolve, host.faults.slowBindMs);
          cmd.cancel = () => reject(new Error('terminated'));
        });
      }
      if (cmd.terminated) return;
      record(await runScript(script, host, VOCABULARY));
    } catch (err) {
      if (cmd.terminated) return;
      violations.push(err instanceof UnknownScriptError ? `script: ${err.message}` : `fake error: ${String(err)}`);
      record({ exitCode: 1, stdout: '', stderr: `The term is not recognized as the name of a cmdlet.\r\n`, body: [], params: {} });
    }
  }

  async function handle(doc: XmlElement, res: ServerResponse): Promise<void> {
    const h = soap.checkHeader(doc, url);
    if (typeof h === 'string') return violation(res, '', h);
    const body = childOf(doc, soap.NS.soap, 'Body') as XmlElement;
    const shell = h.shellId === undefined ? undefined : shells.get(h.shellId);
    if (h.action === soap.ACTIONS.create) {
      requests.create++;
      const s = childOf(body, soap.NS.shell, 'Shell');
      if (s === undefined || childOf(s, soap.NS.shell, 'OutputStreams')?.text.trim() !== 'stdout stderr') return violation(res, h.messageId, 'Create without rsp:Shell/OutputStreams "stdout stderr"');
      const id = randomUUID().toUpperCase();
      shells.set(id, new Map());
      return send(res, 200, soap.createResponse(h.messageId, url, id));
    }
    if (shell === undefined) return violation(res, h.messageId, `action ${h.action} without a valid ShellId selector`);
    if (h.action === soap.ACTIONS.command) {
      requests.command++;
      const line = childOf(body, soap.NS.shell, 'CommandLine');
      const program = line === undefined ? undefined : childOf(line, soap.NS.shell, 'Command')?.text.trim();
      if (line === undefined || program === undefined) return violation(res, h.messageId, 'Command without rsp:CommandLine/rsp:Command');
      const args = childrenOf(line, soap.NS.shell, 'Arguments').map((a) => a.text);
      const id = randomUUID().toUpperCase();
      const cmd: Command = { terminated: false, finished: Promise.resolve() };
      cmd.finished = execute([program, ...args], cmd);
      shell.set(id, cmd);
      return send(res, 200, soap.commandResponse(h.messageId, id));
    }
    if (h.action === soap.ACTIONS.receive) {
      requests.receive++;
      const desired = childOf(body, soap.NS.shell, 'Receive');
      const id = desired === undefined ? undefined : childOf(desired, soap.NS.shell, 'DesiredStream')?.attrs.CommandId;
      const cmd = id === undefined ? undefined : shell.get(id);
      if (cmd === undefined || id === undefined) return violation(res, h.messageId, 'Receive for an unknown CommandId');
      await Promise.race([cmd.finished, new Promise((r) => setTimeout(r, RECEIVE_HOLD_MS))]);
      if (cmd.run === undefined) return send(res, 500, soap.operationTimeoutFault(h.messageId));
      return send(res, 200, soap.receiveResponse(h.messageId, id, cmd.run.stdout, cmd.run.stderr, cmd.run.exitCode));
    }
    if (h.action === soap.ACTIONS.signal) {
      requests.signal++;
      const signal = childOf(body, soap.NS.shell, 'Signal');
      const id = signal?.attrs.CommandId;
      const cmd = id === undefined ? undefined : shell.get(id);
      if (signal === undefined || cmd === undefined || id === undefined) return violation(res, h.messageId, 'Signal for an unknown CommandId');
      if (childOf(signal, soap.NS.shell, 'Code')?.text.trim() !== soap.TERMINATE) return violation(res, h.messageId, 'Signal with a code other than terminate');
      cmd.terminated = true;
      clearTimeout(cmd.timer);
      cmd.cancel?.();
      shell.delete(id);
      return send(res, 200, soap.signalResponse(h.messageId));
    }
    if (h.action === soap.ACTIONS.delete) {
      requests.delete++;
      for (const cmd of shell.values()) {
        cmd.terminated = true;
        clearTimeout(cmd.timer);
        cmd.cancel?.();
      }
      shells.delete(h.shellId as string);
      return send(res, 200, soap.deleteResponse(h.messageId));
    }
    return violation(res, h.messageId, `unknown action ${h.action}`);
  }

  const server: Server = createServer({ cert: pki.chainPem.slice(0, -1).join(''), key: pki.keyPem }, (req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const injected = failures.shift();
      if (injected === 0) return req.socket.destroy();
      if (injected !== undefined) return send(res, injected, injected >= 500 ? soap.fault('', 'InternalError', '1726', 'The remote procedure call failed.') : '');
      if (req.method !== 'POST' || req.url !== '/wsman') return send(res, 404, '');
      const expected = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
      if (req.headers.authorization !== expected) {
        requests.unauthorized++;
        res.writeHead(401, { 'www-authenticate': ['Negotiate', 'Basic realm="WSMAN"'], 'content-length': 0 });
        return res.end();
      }
      if (!String(req.headers['content-type']).startsWith('application/soap+xml')) return violation(res, '', `content-type ${req.headers['content-type']}`);
      if (raw.length > MAX_ENVELOPE_BYTES) return violation(res, '', `envelope of ${raw.length} bytes exceeds MaxEnvelopeSizekb`);
      let doc: XmlElement;
      try {
        doc = parseXml(raw.toString('utf8'));
      } catch (err) {
        return violation(res, '', `not XML: ${String(err)}`);
      }
      await handle(doc, res);
    })().catch((err: unknown) => {
      violations.push(`fake crashed: ${String(err)}`);
      if (!res.headersSent) send(res, 500, '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const address = `127.0.0.1:${port}`;
  url = `https://${address}/wsman`;

  return {
    address,
    caPem: pki.rootPem,
    host,
    credentials,
    requests,
    commands,
    violations,
    openShells: () => shells.size,
    failNext(status, count = 1) {
      for (let i = 0; i < count; i++) failures.push(status);
    },
    async close() {
      for (const shell of shells.values()) for (const cmd of shell.values()) clearTimeout(cmd.timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

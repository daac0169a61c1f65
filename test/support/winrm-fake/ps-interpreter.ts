/**
 * A tiny interpreter for exactly the PowerShell the iis connector documents (see
 * docs/connectors/iis.md, "The scripts"): a fixed preamble, parameter lines `$name = <literal>`,
 * `try {`, body lines from a closed vocabulary, and the fixed `catch` line. It parses literals
 * with PowerShell's own single-quote rules (any of ' ‘ ’ ‚ ‛ opens and closes; two in a row are
 * one literal quote), so broken quoting shows up as a wrong value or a parse error, and it
 * refuses every line it does not know. The vocabulary here is this fake's own copy, written
 * from the documentation, not imported from the connector: a change on one side fails the
 * tests until the other agrees.
 */
import type { IisHost } from './iis-host.ts';

/** A script this interpreter does not understand: a protocol violation of the connector. */
export class UnknownScriptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownScriptError';
  }
}

/** A PowerShell terminating error inside the script (the documented catch prints its message). */
export class ScriptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScriptError';
  }
}

export interface ScriptRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Body lines, for the fake's log (what kind of script ran). */
  readonly body: readonly string[];
  readonly params: Readonly<Record<string, string | number>>;
}

const QUOTES = new Set(["'", '\u2018', '\u2019', '\u201A', '\u201B']);
const STRING_PARAMS = new Set(['ErrorActionPreference', 'ProgressPreference', 'site', 'bindingInformation', 'thumbprint', 'ipAddress', 'hostHeader', 'name', 'chunk', 'password']);
const INT_PARAMS = new Set(['port', 'sslFlags']);
const PREAMBLE = ["$ErrorActionPreference = 'Stop'", "$ProgressPreference = 'SilentlyContinue'"];
const TRY_OPEN = 'try {';
const TRY_CLOSE = '} catch { [Console]::Error.WriteLine($_.Exception.Message); exit 1 }';

/** Reads a single-quoted literal starting at `pos`: its value and the index after it. */
export function readSingleQuoted(src: string, pos: number): { value: string; end: number } {
  if (!QUOTES.has(src[pos] ?? '')) throw new UnknownScriptError(`expected a single-quoted string at ${pos}`);
  let value = '';
  let i = pos + 1;
  for (;;) {
    if (i >= src.length) throw new UnknownScriptError('unterminated single-quoted string');
    const c = src[i] as string;
    if (QUOTES.has(c)) {
      const next = src[i + 1] ?? '';
      if (QUOTES.has(next)) {
        value += next;
        i += 2;
        continue;
      }
      return { value, end: i + 1 };
    }
    value += c;
    i++;
  }
}

interface Parsed {
  readonly assignments: readonly (readonly [string, string | number])[];
  readonly body: readonly string[];
}

/** Splits a script into its parameter assignments and body lines, enforcing the documented shape. */
export function parseScript(script: string): Parsed {
  const assignments: [string, string | number][] = [];
  const lines: string[] = [];
  let pos = 0;
  while (pos < script.length) {
    const m = /^\$([A-Za-z][A-Za-z0-9]*) = /.exec(script.slice(pos, pos + 64));
    if (m !== null && lines.length === 0) {
      const name = m[1] as string;
      const at = pos + m[0].length;
      let value: string | number;
      let end: number;
      if (INT_PARAMS.has(name)) {
        const n = /^[0-9]{1,10}/.exec(script.slice(at));
        if (n === null) throw new UnknownScriptError(`$${name} must be an integer literal`);
        value = Number(n[0]);
        end = at + n[0].length;
      } else if (STRING_PARAMS.has(name)) {
        ({ value, end } = readSingleQuoted(script, at));
      } else {
        throw new UnknownScriptError(`unknown parameter $${name}`);
      }
      if (end < script.length && script[end] !== '\n') throw new UnknownScriptError(`unexpected text after the value of $${name}`);
      assignments.push([name, value]);
      pos = end + 1;
      continue;
    }
    const nl = script.indexOf('\n', pos);
    const line = script.slice(pos, nl < 0 ? script.length : nl);
    if (line === TRY_OPEN && lines.length === 0) lines.push(line);
    else if (lines.length === 0) throw new UnknownScriptError(`expected a parameter or "try {", got ${JSON.stringify(line.slice(0, 80))}`);
    else lines.push(line);
    pos = nl < 0 ? script.length : nl + 1;
  }
  const preamble = assignments.slice(0, 2).map(([n, v]) => `$${n} = '${String(v)}'`);
  if (preamble.join('\n') !== PREAMBLE.join('\n')) throw new UnknownScriptError('the script does not start with the documented preamble');
  if (lines[0] !== TRY_OPEN || lines.at(-1) !== TRY_CLOSE || lines.length < 3) throw new UnknownScriptError('the body is not wrapped in the documented try/catch');
  const names = assignments.map(([n]) => n);
  if (new Set(names).size !== names.length) throw new UnknownScriptError('a parameter is assigned twice');
  return { assignments: assignments.slice(2), body: lines.slice(1, -1) };
}

/** Variables of one run: parameters plus what body lines set. */
export type Vars = Map<string, unknown>;

/** A body line's effect on the host. May throw ScriptError (caught by the documented catch). */
export type Statement = (vars: Vars, host: IisHost, out: { stdout: string }) => void | Promise<void>;

/** Runs `script` on `host` with `vocabulary`; unknown lines are refused before anything runs. */
export async function runScript(script: string, host: IisHost, vocabulary: ReadonlyMap<string, Statement>): Promise<ScriptRun> {
  const parsed = parseScript(script);
  const statements = parsed.body.map((line) => {
    const s = vocabulary.get(line);
    if (s === undefined) throw new UnknownScriptError(`unknown statement ${JSON.stringify(line.slice(0, 120))}`);
    return s;
  });
  const vars: Vars = new Map(parsed.assignments);
  const out = { stdout: '' };
  const params = Object.fromEntries(parsed.assignments);
  try {
    for (const s of statements) await s(vars, host, out);
    return { exitCode: 0, stdout: out.stdout, stderr: '', body: parsed.body, params };
  } catch (err) {
    if (!(err instanceof ScriptError)) throw err;
    return { exitCode: 1, stdout: out.stdout, stderr: `${err.message}\r\n`, body: parsed.body, params };
  }
}

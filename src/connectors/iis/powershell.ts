/**
 * PowerShell quoting and transport, the two places where user input meets code:
 * - every value enters a script only as a single-quoted literal (`psString`), where
 *   PowerShell expands nothing. Inside one, PowerShell treats the four Unicode single quotes
 *   (U+2018–U+201B) exactly like `'`, so each of them is doubled too — the rule of
 *   `CodeGeneration.EscapeSingleQuotedStringContent`; doubling only `'` would let `’` end
 *   the string and inject code;
 * - a script travels as `powershell.exe -EncodedCommand <base64 of UTF-16LE>`, so neither
 *   cmd.exe nor WinRS ever parses it, and its length is checked against cmd.exe's 8191
 *   character command-line limit before it is sent.
 */
import { ConnectorError, ErrorCode, hasCode } from '@cert-deployer/connector-sdk';
import { Buffer } from 'node:buffer';

/** Characters PowerShell reads as a single quote inside a single-quoted string. */
const SINGLE_QUOTES = /['\u2018\u2019\u201A\u201B]/g;

/** cmd.exe's maximum command line (WinRS runs commands through cmd.exe). */
export const MAX_COMMAND_LINE = 8191;

/** The program and fixed switches every script runs with. */
export const POWERSHELL = 'powershell.exe';
export const POWERSHELL_SWITCHES = ['-NoLogo', '-NoProfile', '-NonInteractive', '-EncodedCommand'] as const;

/** A value that cannot be a PowerShell literal (a NUL would truncate the command line). */
export class PowerShellQuoteError extends ConnectorError {
  constructor(message: string) {
    super(message, { retryable: false });
    this.name = 'PowerShellQuoteError';
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof Error && value.name === 'PowerShellQuoteError' && hasCode(value, ErrorCode.Connector);
  }
}

/** `value` as a single-quoted PowerShell string literal: nothing inside is ever interpreted. */
export function psString(value: string): string {
  if (typeof value !== 'string') throw new PowerShellQuoteError('a PowerShell literal must be a string');
  if (value.includes('\0')) throw new PowerShellQuoteError('a PowerShell literal cannot contain NUL');
  if (!value.isWellFormed()) throw new PowerShellQuoteError('a PowerShell literal must be well-formed Unicode');
  return `'${value.replace(SINGLE_QUOTES, (q) => q + q)}'`;
}

/** A non-negative integer literal. */
export function psInt(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new PowerShellQuoteError('a PowerShell integer literal must be a non-negative safe integer');
  return String(value);
}

/** The argv (after the program) that runs `script`, and the command line's length as cmd.exe sees it. */
export function encodedCommand(script: string): { readonly args: readonly string[]; readonly length: number } {
  const encoded = Buffer.from(script, 'utf16le').toString('base64');
  const args = [...POWERSHELL_SWITCHES, encoded];
  return { args, length: [POWERSHELL, ...args].join(' ').length };
}

/** Decodes the `_xHHHH_` escapes CLIXML uses for control characters. */
function decodeClixmlText(text: string): string {
  return text
    .replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

/**
 * Error text a script wrote to stderr, readable and safe to quote: CLIXML error records
 * (what powershell.exe prints for errors outside our own `catch`) are reduced to their
 * message lines, and each of `secrets` is replaced wherever it appears.
 */
export function errorText(stderr: string, secrets: readonly string[]): string {
  let text = stderr.trim();
  if (text.startsWith('#< CLIXML')) {
    const lines = [...text.matchAll(/<S S="Error">([\s\S]*?)<\/S>/g)].map((m) => decodeClixmlText(m[1] as string));
    text = lines.join('').trim();
  }
  for (const secret of secrets) if (secret !== '') text = text.split(secret).join('[REDACTED]');
  return text.replace(/\s+/g, ' ').trim();
}

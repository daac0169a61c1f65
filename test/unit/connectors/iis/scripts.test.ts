/**
 * The PowerShell generator: quoting, shape, chunking and secrecy. Literals are read back with
 * the WinRM fake's own implementation of PowerShell's single-quote rules (written
 * independently of the generator), so a quoting mistake shows as a different value or a
 * parse error; every body line must be in the fake's documented vocabulary.
 */
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodedCommand, errorText, MAX_COMMAND_LINE, psInt, psString, PowerShellQuoteError } from '../../../../src/connectors/iis/powershell.ts';
import {
  CHUNK_CHARS, cleanupScript, createBindingScript, importScript, queryScript, redacted, removeBindingScript, removeCertificateScript,
  transferScripts, updateBindingScript, type Script,
} from '../../../../src/connectors/iis/scripts.ts';
import { IisHost, parseScript, readSingleQuoted, runScript, UnknownScriptError, VOCABULARY } from '../../../support/winrm-fake/index.ts';

const HOSTILE = [
  "O'Brien",
  "'; Remove-Item -Recurse C:\\ ; '",
  'x’; Stop-Computer; ‘',
  '‚‛’‘\'',
  '$(Stop-Computer) ${env:TEMP} `n `0 @(1) "quoted" # hash',
  'line1\nline2\r\nline3',
  '\'\'\'\'',
  'ends with a quote\'',
  'ünïcödé 🔐 site',
];
const THUMB = 'A'.repeat(40);

/** Decodes the script a generated command line carries, the way powershell.exe does. */
function decode(s: Script): string {
  expect(s.args.slice(0, -1)).toEqual(['-NoLogo', '-NoProfile', '-NonInteractive', '-EncodedCommand']);
  return Buffer.from(s.args.at(-1) as string, 'base64').toString('utf16le');
}

function everyScript(site: string): Script[] {
  return [
    queryScript(),
    ...transferScripts('cert-deployer-0123456789abcdef', 'QUJD'.repeat(1200)),
    importScript('cert-deployer-0123456789abcdef', THUMB, 'f'.repeat(48)),
    cleanupScript('cert-deployer-0123456789abcdef'),
    updateBindingScript(site, `*:443:${'a'.repeat(10)}`, THUMB),
    updateBindingScript(site, '*:443:', ''),
    createBindingScript(site, { ipAddress: '*', port: 443, hostHeader: 'shop.example.test', sslFlags: 1, bindingInformation: '*:443:shop.example.test' }, THUMB),
    removeBindingScript(site, '*:443:shop.example.test'),
    removeCertificateScript(THUMB),
  ];
}

describe('psString', () => {
  it.each(HOSTILE)('round-trips %j through PowerShell single-quote rules', (value) => {
    const literal = psString(value);
    expect(readSingleQuoted(literal, 0)).toEqual({ value, end: literal.length });
  });

  it('round-trips any well-formed string without NUL, and the literal ends exactly where it should', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }).filter((s) => !s.includes('\0')), (value) => {
      const literal = psString(value);
      const read = readSingleQuoted(`${literal}; Remove-Item X`, 0);
      expect(read).toEqual({ value, end: literal.length });
    }), { numRuns: 2000 });
    const tricky = fc.string({ unit: fc.constantFrom("'", '\u2018', '\u2019', '\u201A', '\u201B', '"', '$', '`', '(', 'a', '\n', ';'), maxLength: 40 });
    fc.assert(fc.property(tricky, (value) => {
      expect(readSingleQuoted(psString(value), 0).value).toBe(value);
    }), { numRuns: 2000 });
  });

  it('refuses NUL, lone surrogates and non-strings; psInt refuses non-integers', () => {
    expect(() => psString('a\0b')).toThrow(PowerShellQuoteError);
    expect(() => psString('\uD800x')).toThrow(PowerShellQuoteError);
    expect(() => psString(42 as unknown as string)).toThrow(PowerShellQuoteError);
    expect(() => psInt(-1)).toThrow(PowerShellQuoteError);
    expect(() => psInt(1.5)).toThrow(PowerShellQuoteError);
    expect(psInt(443)).toBe('443');
  });

  it('doubling only the ASCII quote would be injectable: the reader proves the smart quote ends a string', () => {
    const naive = `'${'x’; Stop-Computer; ‘'.replace(/'/g, "''")}'`;
    expect(readSingleQuoted(naive, 0).value).toBe('x');
  });
});

describe('generated scripts', () => {
  it.each(HOSTILE)('with site %j: documented shape, only vocabulary body lines, parameters read back exactly', (site) => {
    for (const s of everyScript(site)) {
      const parsed = parseScript(decode(s));
      for (const line of parsed.body) expect(VOCABULARY.has(line), `unknown body line in "${s.description}": ${line}`).toBe(true);
      const params = Object.fromEntries(parsed.assignments);
      if ('site' in params) expect(params.site).toBe(site);
    }
  });

  it('user input appears on parameter lines only', () => {
    const marker = 'MARKER-7f3a';
    for (const s of everyScript(`${marker} site`)) {
      const text = decode(s);
      const { body } = parseScript(text);
      for (const line of body) expect(line).not.toContain(marker);
    }
  });

  it('the fake refuses a script outside the documented shape or vocabulary', async () => {
    const ok = decode(queryScript());
    expect(() => parseScript(ok.replace("'Stop'", "'Continue'"))).toThrow(UnknownScriptError);
    expect(() => parseScript(`${ok}\nWrite-Host hi`)).toThrow(UnknownScriptError);
    expect(() => parseScript(ok.replace('try {\n', "$evil = 'x'\ntry {\n"))).toThrow(/unknown parameter/);
    await expect(runScript(ok.replace('try {', 'try {\nInvoke-Expression $x'), new IisHost(), VOCABULARY)).rejects.toThrow(/unknown statement/);
    await expect(runScript(ok, new IisHost(), VOCABULARY)).resolves.toMatchObject({ exitCode: 0, stdout: '{"sites":[],"bindings":[],"certificates":[]}' });
  });

  it('every command line fits cmd.exe, even with the longest site name the schema allows', () => {
    const longest = '’'.repeat(256);
    for (const s of everyScript(longest)) expect(encodedCommand(decode(s)).length).toBeLessThanOrEqual(MAX_COMMAND_LINE);
  });

  it('transfer chunks reassemble the input exactly, first one writes and the rest append', () => {
    const data = Buffer.from(Array.from({ length: 9000 }, (_, i) => i % 251)).toString('base64');
    const scripts = transferScripts('cert-deployer-aa', data);
    expect(scripts).toHaveLength(Math.ceil(data.length / CHUNK_CHARS));
    const parsed = scripts.map((s) => parseScript(decode(s)));
    expect(parsed.map((p) => Object.fromEntries(p.assignments).chunk).join('')).toBe(data);
    expect(parsed.map((p) => p.body.at(-1))).toEqual(['[IO.File]::WriteAllText($b64Path, $chunk)', ...Array(scripts.length - 1).fill('[IO.File]::AppendAllText($b64Path, $chunk)')]);
  });
});

describe('secrets in scripts', () => {
  it('the redacted form and the description carry neither the password nor PFX chunks', () => {
    const password = '0123456789abcdef0123456789abcdef0123456789abcdef';
    const s = importScript('cert-deployer-aa', THUMB, password);
    expect(decode(s)).toContain(password);
    expect(redacted(s)).not.toContain(password);
    expect(redacted(s)).toContain("$password = '[REDACTED]'");
    expect(s.description).not.toContain(password);
    for (const t of transferScripts('cert-deployer-aa', 'QUJD'.repeat(600))) {
      const chunk = String(Object.fromEntries(parseScript(decode(t)).assignments).chunk);
      expect(redacted(t)).not.toContain(chunk);
      expect(t.description).not.toContain(chunk.slice(0, 40));
    }
  });

  it('errorText reduces CLIXML to its messages and removes the script\'s secrets', () => {
    const clixml = '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Error">Import failed for pw-SECRET_x000D__x000A_</S><S S="Error">second &amp; line_x000D__x000A_</S></Objs>';
    expect(errorText(clixml, ['pw-SECRET'])).toBe('Import failed for [REDACTED] second & line');
    expect(errorText('  plain\r\nerror pw-SECRET  ', ['pw-SECRET'])).toBe('plain error [REDACTED]');
  });
});

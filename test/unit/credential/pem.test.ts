/** The PEM block scanner on its own: what it tolerates and what it refuses. */
import { Buffer } from 'node:buffer';
import { describe, expect, test } from 'vitest';
import { encodePem, InvalidCertificateReason, scanPem } from '../../../packages/connector-sdk/src/credential/index.ts';

const der = Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 37) & 0xff));
const block = encodePem('CERTIFICATE', der);

describe('encodePem', () => {
  test('64-column lines, LF, trailing newline, and it round-trips', () => {
    const lines = block.trimEnd().split('\n');
    expect(lines[0]).toBe('-----BEGIN CERTIFICATE-----');
    expect(lines.at(-1)).toBe('-----END CERTIFICATE-----');
    expect(lines.slice(1, -1).every((l) => l.length <= 64)).toBe(true);
    expect(lines.slice(1, -2).every((l) => l.length === 64)).toBe(true);
    expect(block.endsWith('-----\n')).toBe(true);
    expect(scanPem(block, 'tls.crt')[0]?.der.equals(der)).toBe(true);
  });
});

describe('scanPem accepts', () => {
  test('text around blocks, CRLF, indentation and blank lines in the body', () => {
    const body = block.split('\n');
    const messy = `comment\r\n  ${body[0]}\r\n${body[1]}\r\n\r\n${body.slice(2).join('\r\n')}trailer\r\n${encodePem('X', Buffer.from('abc'))}`;
    const blocks = scanPem(messy, 'tls.crt');
    expect(blocks.map((b) => b.label)).toEqual(['CERTIFICATE', 'X']);
    expect(blocks[0]?.der.equals(der)).toBe(true);
    expect(blocks[0]?.line).toBe(2);
    expect(blocks[1]?.der.toString()).toBe('abc');
  });

  test('RFC 1421 headers are parsed, not treated as body', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAA\n-----END RSA PRIVATE KEY-----\n';
    const [b] = scanPem(pem, 'tls.key');
    expect(b?.headers.get('proc-type')).toBe('4,ENCRYPTED');
    expect(b?.headers.get('dek-info')).toBe('AES-128-CBC,00112233445566778899AABBCCDDEEFF');
    expect(b?.der.equals(Buffer.from([0, 0, 0]))).toBe(true);
  });

  test('no blocks at all is an empty list (the caller decides), not an error', () => {
    expect(scanPem('just text\n-----BEGIN-----\n', 'ca.crt')).toEqual([]);
  });
});

describe('scanPem refuses, naming field and line but never the content', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['unterminated', '-----BEGIN CERTIFICATE-----\nAAAA\n', /CERTIFICATE block at line 1 has no matching END/],
    ['nested BEGIN', '-----BEGIN A-----\nAAAA\n-----BEGIN B-----\nAAAA\n-----END B-----\n', /A block at line 1 has no matching END/],
    ['mismatched END', 'x\n-----BEGIN A-----\nAAAA\n-----END B-----\n', /A block at line 2 ends with a mismatched END B at line 4/],
    ['non-base64 body line', '-----BEGIN A-----\nAAAA\nSECRET*LINE\n-----END A-----\n', /not base64 \(line 3\)/],
    ['empty body', '-----BEGIN A-----\n-----END A-----\n', /not valid base64/],
    ['length not a multiple of 4', '-----BEGIN A-----\nAAAAA\n-----END A-----\n', /not valid base64/],
    ['padding in the middle', '-----BEGIN A-----\nAA==\nAAAA\n-----END A-----\n', /not valid base64/],
    ['three padding characters', '-----BEGIN A-----\nA===\n-----END A-----\n', /not valid base64/],
  ];
  test.each(cases)('%s', (_name, text, message) => {
    expect(() => scanPem(text, 'tls.key')).toThrow(expect.objectContaining({ reason: InvalidCertificateReason.NotPem, field: 'tls.key', message: expect.stringMatching(message) }));
    try {
      scanPem(text, 'tls.key');
    } catch (err) {
      expect((err as Error).message).not.toContain('SECRET');
      expect((err as Error).message).not.toContain('AAAA');
    }
  });
});

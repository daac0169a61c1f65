/**
 * The PEM block scanner (RFC 7468, plus the RFC 1421 headers OpenSSL still writes for legacy
 * encrypted keys). Real Secrets are messy: `openssl pkcs12` output carries `Bag Attributes`
 * lines, people paste comments, Windows tools write CRLF. So text outside blocks is ignored,
 * but a block that starts must be well formed: an unterminated block or a non-base64 line is
 * an error, because silently skipping it could drop the very certificate the user meant.
 *
 * Errors name the field and line number, never the line itself: the line may be key material.
 */
import { Buffer } from 'node:buffer';
import { InvalidCertificateError, InvalidCertificateReason, type TlsSecretField } from './errors.ts';

/** One decoded PEM block. */
export interface PemBlock {
  /** The label between `BEGIN ` and `-----`, e.g. `CERTIFICATE`, `EC PRIVATE KEY`. */
  readonly label: string;
  /** RFC 1421 headers (`Proc-Type`, `DEK-Info`), keyed by lowercase name. Usually empty. */
  readonly headers: ReadonlyMap<string, string>;
  /** The decoded body. */
  readonly der: Buffer;
  /** 1-based line number of the BEGIN line, for messages. */
  readonly line: number;
}

const BEGIN = /^-----BEGIN ([^-]+)-----$/;
const END = /^-----END ([^-]+)-----$/;
const BASE64_LINE = /^[A-Za-z0-9+/=]+$/;
const HEADER = /^([A-Za-z0-9-]+):\s*(.*)$/;

function notPem(field: TlsSecretField, message: string): InvalidCertificateError {
  return new InvalidCertificateError(InvalidCertificateReason.NotPem, `${field}: ${message}`, field);
}

/** Strict base64: Buffer.from(…, 'base64') silently skips garbage, which would hide corruption. */
function decodeBase64(body: string): Buffer | undefined {
  if (body.length === 0 || body.length % 4 !== 0) return undefined;
  const pad = body.indexOf('=');
  if (pad !== -1 && (pad < body.length - 2 || !/^=+$/.test(body.slice(pad)))) return undefined;
  return Buffer.from(body, 'base64');
}

/**
 * Finds every PEM block in `text`, in order. Returns an empty list when there is none (the
 * caller decides whether that is `NotPem`); throws `NotPem` for a block that is malformed.
 */
export function scanPem(text: string, field: TlsSecretField): PemBlock[] {
  const lines = text.split(/\r\n|\r|\n/);
  const blocks: PemBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const begin = BEGIN.exec((lines[i] ?? '').trim());
    i++;
    if (begin === null) continue;
    const label = begin[1] as string;
    const startLine = i;
    const headers = new Map<string, string>();
    let body = '';
    let inHeaders = true;
    let closed = false;
    while (i < lines.length) {
      const line = (lines[i] ?? '').trim();
      i++;
      const end = END.exec(line);
      if (end !== null) {
        if (end[1] !== label) {
          throw notPem(field, `the ${label} block at line ${startLine} ends with a mismatched END ${end[1]} at line ${i}`);
        }
        closed = true;
        break;
      }
      if (BEGIN.test(line)) break; // a new block before this one ended: unterminated
      if (line === '') {
        inHeaders = false; // RFC 1421: a blank line separates headers from the body
        continue;
      }
      const header = inHeaders && body === '' ? HEADER.exec(line) : null;
      if (header !== null) {
        headers.set((header[1] as string).toLowerCase(), (header[2] as string).trim());
        continue;
      }
      if (!BASE64_LINE.test(line)) {
        throw notPem(field, `the ${label} block at line ${startLine} has a line that is not base64 (line ${i})`);
      }
      inHeaders = false;
      body += line;
    }
    if (!closed) throw notPem(field, `the ${label} block at line ${startLine} has no matching END line`);
    const der = decodeBase64(body);
    if (der === undefined) {
      throw notPem(field, `the ${label} block at line ${startLine} is not valid base64 (empty, truncated or misplaced padding)`);
    }
    blocks.push({ label, headers, der, line: startLine });
  }
  return blocks;
}

/** Encodes DER as PEM the way OpenSSL does (64-column lines, LF, trailing newline), so output is canonical. */
export function encodePem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines: string[] = [];
  for (let at = 0; at < b64.length; at += 64) lines.push(b64.slice(at, at + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

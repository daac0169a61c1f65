/**
 * Small, pure readings of an `X509Certificate` that the credential model and its error
 * messages need: a one-line subject, the DNS subjectAltNames, the DER fingerprint, and whether
 * those can be decoded at all (Node decodes lazily; see {@link undecodablePartOf}). Node only
 * exposes the SAN extension as OpenSSL-style text, so the parser lives here, next to the
 * quirk it handles (Node JSON-quotes values that contain `,`, `"` or other unsafe characters).
 */
import { createHash, type X509Certificate } from 'node:crypto';

/** The parts of a certificate the credential model reads, each with a reader that throws when it cannot be decoded. */
const READ_PARTS: ReadonlyArray<readonly [string, (cert: X509Certificate) => unknown]> = [
  ['subject name', (cert) => cert.subject],
  ['issuer name', (cert) => cert.issuer],
  ['subjectAltName extension', (cert) => cert.subjectAltName],
  ['notBefore date', (cert) => validDate(cert.validFromDate)],
  ['notAfter date', (cert) => validDate(cert.validToDate)],
  ['signature algorithm', (cert) => cert.signatureAlgorithm],
];

function validDate(date: Date): Date {
  if (Number.isNaN(date.getTime())) throw new RangeError('invalid date');
  return date;
}

/**
 * The first part of `cert` the credential model reads that cannot be decoded (e.g.
 * `"subjectAltName extension"`), or undefined when all can. Node decodes a certificate lazily:
 * `new X509Certificate` accepts one whose subjectAltName extension is undecodable or whose
 * validity is not a real date (month 13), and only the getter then fails, by throwing a raw
 * `ERR_CRYPTO_OPERATION_FAILED` (subjectAltName) or by returning an Invalid Date, which compares
 * false both ways and so would pass the validity checks. Reading every part once, right after
 * parsing, lets the caller reject such a certificate as malformed, as OpenSSL's own chain
 * verification would, instead of crashing (or accepting it) later.
 */
export function undecodablePartOf(cert: X509Certificate): string | undefined {
  for (const [part, read] of READ_PARTS) {
    try {
      read(cert);
    } catch {
      return part;
    }
  }
  return undefined;
}

/** Lowercase hex SHA-256 of the DER, no separators: the Deployment idempotency key. */
export function fingerprintOf(cert: X509Certificate): string {
  return createHash('sha256').update(cert.raw).digest('hex');
}

/** The subject as one line (`CN=a, O=b`), for messages. Node prints one RDN per line. */
export function describeSubject(cert: X509Certificate): string {
  const subject = cert.subject.split('\n').filter((part) => part !== '').join(', ');
  return subject === '' ? '(empty subject)' : subject;
}

/** `"CN=a" (notAfter 2026-01-01T00:00:00.000Z)`: enough for a user to find the certificate. */
export function describeCertificate(cert: X509Certificate): string {
  return `"${describeSubject(cert)}" (notBefore ${cert.validFromDate.toISOString()}, notAfter ${cert.validToDate.toISOString()})`;
}

/**
 * Splits Node's `subjectAltName` text (`DNS:a, DNS:"we\u002cird", IP Address:1.2.3.4`) into
 * `[type, value]` pairs. Quoted values are JSON strings; unquoted ones cannot contain `, `.
 */
export function parseSubjectAltName(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon === -1) break;
    const type = text.slice(i, colon).trim();
    let value: string;
    let next: number;
    if (text[colon + 1] === '"') {
      let end = colon + 2;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      try {
        value = JSON.parse(text.slice(colon + 1, end + 1)) as string;
      } catch {
        value = text.slice(colon + 2, end);
      }
      next = text.indexOf(', ', end + 1);
    } else {
      next = text.indexOf(', ', colon + 1);
      value = text.slice(colon + 1, next === -1 ? text.length : next);
    }
    out.push([type, value]);
    if (next === -1) break;
    i = next + 2;
  }
  return out;
}

/** The DNS entries of the subjectAltName extension, in certificate order, without duplicates. */
export function dnsNamesOf(cert: X509Certificate): string[] {
  const san = cert.subjectAltName;
  if (san === undefined) return [];
  const names = parseSubjectAltName(san)
    .filter(([type]) => type === 'DNS')
    .map(([, value]) => value);
  return [...new Set(names)];
}

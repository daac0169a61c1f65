/**
 * No input crashes the credential model: random bytes, random text, random PEM-wrapped
 * bytes and random corruptions of a valid Secret all end in either a Deployment or an
 * InvalidCertificateError, never in any other exception.
 */
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { beforeAll, expect, test } from 'vitest';
import { encodePem, InvalidCertificateError, parseTlsSecret, type TlsSecretData } from '../../../packages/connector-sdk/src/credential/index.ts';
import { mintChain, toDer, toSec1Pem, type MintedChain } from '../../support/certs/index.ts';

const NOW = new Date();
let valid: MintedChain;
beforeAll(async () => {
  valid = await mintChain({ intermediates: 1 });
});

/** Runs the parser; returns 'ok' or 'typed', and rethrows anything else so fast-check shrinks it. */
function outcome(data: TlsSecretData): 'ok' | 'typed' {
  try {
    parseTlsSecret(data, { now: NOW, maxBytes: 64 * 1024 });
    return 'ok';
  } catch (err) {
    if (err instanceof InvalidCertificateError && typeof err.reason === 'string') return 'typed';
    throw err;
  }
}

const field = fc.oneof(fc.uint8Array({ maxLength: 1500 }), fc.string({ unit: 'binary', maxLength: 500 }), fc.constant(undefined));

test('property: random bytes and strings in any field are always a typed error', () => {
  fc.assert(
    fc.property(field, field, field, (crt, key, ca) => {
      expect(outcome({ 'tls.crt': crt, 'tls.key': key, 'ca.crt': ca })).toBe('typed');
    }),
    { numRuns: 400 },
  );
});

const labels = ['CERTIFICATE', 'PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'EC PARAMETERS', 'X'];
const pemOfRandom = fc.array(fc.tuple(fc.constantFrom(...labels), fc.uint8Array({ minLength: 1, maxLength: 600 })), { minLength: 1, maxLength: 3 }).map((blocks) => blocks.map(([label, der]) => encodePem(label, der)).join(''));

test('property: well-formed PEM around random DER is always a typed error', () => {
  fc.assert(
    fc.property(pemOfRandom, pemOfRandom, fc.option(pemOfRandom, { nil: undefined }), (crt, key, ca) => {
      expect(outcome({ 'tls.crt': crt, 'tls.key': key, 'ca.crt': ca })).toBe('typed');
    }),
    { numRuns: 400 },
  );
});

test('property: random DER under a valid certificate or key is always a typed error', () => {
  const der = fc.uint8Array({ minLength: 1, maxLength: 800 });
  fc.assert(
    fc.property(der, fc.boolean(), fc.constantFrom('PRIVATE KEY', 'EC PRIVATE KEY', 'RSA PRIVATE KEY'), (bytes, breakCert, keyLabel) => {
      const data = breakCert ? { 'tls.crt': encodePem('CERTIFICATE', bytes), 'tls.key': valid.keyPem } : { 'tls.crt': valid.chainPem.join(''), 'tls.key': encodePem(keyLabel, bytes) };
      expect(outcome(data)).toBe('typed');
    }),
    { numRuns: 300 },
  );
});

test('property: corrupting a valid Secret anywhere never crashes', () => {
  const secrets = [
    { 'tls.crt': valid.chainPem.join(''), 'tls.key': valid.keyPem },
    { 'tls.crt': valid.leafPem, 'tls.key': toSec1Pem(valid.keyPem, { withParameters: true }), 'ca.crt': valid.chainPem.slice(1).join('') },
  ];
  const corruption = fc.record({
    which: fc.nat({ max: secrets.length - 1 }),
    target: fc.constantFrom('tls.crt', 'tls.key', 'ca.crt') as fc.Arbitrary<'tls.crt' | 'tls.key' | 'ca.crt'>,
    at: fc.nat(),
    cut: fc.nat({ max: 40 }),
    insert: fc.string({ unit: 'binary-ascii', maxLength: 8 }),
  });
  const outcomes = new Set<string>();
  fc.assert(
    fc.property(corruption, ({ which, target, at, cut, insert }) => {
      const secret: Record<string, string> = { ...(secrets[which] as Record<string, string>) };
      const text = secret[target];
      if (text === undefined) return;
      const pos = at % (text.length + 1);
      secret[target] = text.slice(0, pos) + insert + text.slice(pos + cut);
      outcomes.add(outcome(secret));
    }),
    { numRuns: 500 },
  );
  expect(outcomes.has('typed')).toBe(true);
  expect([...outcomes].every((o) => o === 'typed' || o === 'ok')).toBe(true);
});

test('property: one corrupted byte in a certificate\'s DER is a typed error or a Deployment with real dates', () => {
  // Node decodes extensions and dates lazily, so a DER that parses can still hold an
  // undecodable subjectAltName (a raw ERR_CRYPTO_OPERATION_FAILED later) or a notBefore in
  // month 13 (an Invalid Date that passes every validity comparison): both must be Malformed.
  const ders = valid.chainPem.map((pem) => toDer(pem));
  const mutation = fc.record({ which: fc.nat({ max: ders.length - 1 }), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) });
  fc.assert(
    fc.property(mutation, ({ which, at, byte }) => {
      const der = Buffer.from(ders[which] as Buffer);
      der[at % der.length] = byte;
      const pems = [...valid.chainPem];
      pems[which] = encodePem('CERTIFICATE', der);
      try {
        const d = parseTlsSecret({ 'tls.crt': pems.join(''), 'tls.key': valid.keyPem }, { now: NOW });
        expect(Number.isNaN(d.notBefore.getTime()) || Number.isNaN(d.notAfter.getTime())).toBe(false);
      } catch (err) {
        if (!(err instanceof InvalidCertificateError)) throw err;
      }
    }),
    { numRuns: 1500 },
  );
});

test('the typed-error check rejects foreign exceptions (so the properties above can fail)', () => {
  const weird = { 'tls.crt': valid.chainPem.join(''), 'tls.key': valid.keyPem };
  expect(outcome(weird)).toBe('ok');
  expect(() => outcome({ get 'tls.crt'(): string { throw new TypeError('boom'); } } as unknown as TlsSecretData)).toThrow(TypeError);
  expect(Buffer.byteLength(valid.keyPem)).toBeGreaterThan(0);
});

/**
 * The Runtime API text protocol as data: replies captured from Debian's HAProxy 2.6.12 (see
 * src/connectors/haproxy/runtime-protocol.ts) parsed into decisions, and the commands built
 * the way HAProxy's CLI needs them (payload without blank lines, closed by an empty line).
 */
import { describe, expect, it } from 'vitest';
import {
  CLI_BUFFER_BYTES,
  isWanted,
  parseCommit,
  parseSet,
  parseShow,
  sanitizePayload,
  setCommand,
} from '../../../../src/connectors/haproxy/runtime-protocol.ts';

// Verbatim from HAProxy 2.6.12 (EC P-256 leaf with an intermediate).
const SHOW_EC =
  'Filename: /tmp/hx/certs/site.pem\nStatus: Used\nSerial: 41545AA95C6BF0B6B7D36D63FAF86484209C059A\nnotBefore: Nov 24 23:06:18 2026 GMT\nnotAfter: Nov 25 23:06:18 2026 GMT\nSubject Alternative Name: \nAlgorithm: EC256\nSHA1 FingerPrint: 1988032EAD81CB0C58C7529467DA51FCFFDB666E\nSubject: /CN=leaf.test\nIssuer: /CN=ca.test\nChain Subject: /CN=ca.test\nChain Issuer: /CN=ca.test\nOCSP Response Key: \n\n';
// Verbatim: for an Ed25519 key 2.6.12 stops after "Algorithm:" (no SHA1 line).
const SHOW_ED25519 =
  'Filename: /tmp/hx/certs/site.pem\nStatus: Used\nSerial: 30A7D154E52379C8C74A755683487FC26739CB66\nnotBefore: Nov 24 23:04:50 2026 GMT\nnotAfter: Nov 26 23:04:50 2026 GMT\nSubject Alternative Name: \nAlgorithm: OCSP Response Key: \n\n';

describe('parseShow', () => {
  it('reads SHA-1, serial and expiry of a loaded certificate', () => {
    expect(parseShow(SHOW_EC)).toEqual({
      kind: 'loaded',
      certificate: { sha1: '1988032EAD81CB0C58C7529467DA51FCFFDB666E', serial: '41545AA95C6BF0B6B7D36D63FAF86484209C059A', notAfter: 'Nov 25 23:06:18 2026 GMT' },
    });
  });

  it('reads serial and expiry when 2.6 omits the SHA-1 (Ed25519)', () => {
    expect(parseShow(SHOW_ED25519)).toEqual({
      kind: 'loaded',
      certificate: { serial: '30A7D154E52379C8C74A755683487FC26739CB66', notAfter: 'Nov 26 23:04:50 2026 GMT' },
    });
  });

  it('tells a path HAProxy did not load from an answer it does not understand', () => {
    expect(parseShow("Can't display the certificate: Not found or the certificate is a bundle!\n\n")).toEqual({ kind: 'notLoaded' });
    expect(parseShow('Permission denied\n\n')).toEqual({ kind: 'unexpected', reply: 'Permission denied\n\n' });
    expect(parseShow('')).toEqual({ kind: 'unexpected', reply: '' });
  });
});

describe('isWanted', () => {
  const want = { sha1: '1988032ead81cb0c58c7529467da51fcffdb666e', serial: '41545AA95C6BF0B6B7D36D63FAF86484209C059A', notAfter: new Date('2026-11-25T23:06:18Z') };

  it('compares by SHA-1 when HAProxy prints it, case-insensitively', () => {
    expect(isWanted({ sha1: '1988032EAD81CB0C58C7529467DA51FCFFDB666E' }, want)).toBe(true);
    expect(isWanted({ sha1: '0000032EAD81CB0C58C7529467DA51FCFFDB666E', serial: want.serial, notAfter: 'Nov 25 23:06:18 2026 GMT' }, want)).toBe(false);
  });

  it('falls back to serial and expiry together, ignoring leading zeros and day padding', () => {
    expect(isWanted({ serial: `00${want.serial}`, notAfter: 'Nov 25 23:06:18 2026 GMT' }, want)).toBe(true);
    expect(isWanted({ serial: '05', notAfter: 'Nov  5 01:02:03 2026 GMT' }, { ...want, serial: '5', notAfter: new Date('2026-11-05T01:02:03Z') })).toBe(true);
    expect(isWanted({ serial: want.serial, notAfter: 'Nov 25 23:06:19 2026 GMT' }, want)).toBe(false);
    expect(isWanted({ serial: 'ABCD', notAfter: 'Nov 25 23:06:18 2026 GMT' }, want)).toBe(false);
    expect(isWanted({ serial: want.serial }, want)).toBe(false);
    expect(isWanted({}, want)).toBe(false);
  });
});

describe('parseSet and parseCommit', () => {
  it('accepts a created or updated transaction and a successful commit', () => {
    expect(parseSet('Transaction created for certificate /a.pem!\n\n', 100)).toEqual({ ok: true });
    expect(parseSet('Transaction updated for certificate /a.pem!\n\n', 100)).toEqual({ ok: true });
    expect(parseCommit('Committing /a.pem.\nSuccess!\n\n')).toEqual({ ok: true });
    expect(parseCommit('Committing /a.pem...\nSuccess!\n\n')).toEqual({ ok: true });
  });

  it('refusals of the certificate are terminal, in HAProxy\'s words', () => {
    const mismatch = "inconsistencies between private key and certificate loaded '/a.pem'.\nCan't commit /a.pem!\n\n";
    expect(parseCommit(mismatch)).toEqual({ ok: false, retryable: false, reply: mismatch.trim() });
    const garbage = "unable to load certificate from file '/a.pem'.\nCan't load the payload\nCan't update /a.pem!\n\n";
    expect(parseSet(garbage, 100)).toMatchObject({ ok: false, retryable: false });
    expect(parseSet("Can't replace a certificate which is not referenced by the configuration!\nCan't update /b.pem!\n", 100)).toMatchObject({ ok: false, retryable: false });
  });

  it('another client\'s transaction and the certificate lock clear by themselves: retryable', () => {
    expect(parseSet("The ongoing transaction is about '/x.pem' but you are trying to set '/a.pem'\nCan't update /a.pem!\n", 100)).toMatchObject({ ok: false, retryable: true });
    expect(parseCommit("Can't commit the certificate!\nOperations on certificates are currently locked!\n")).toMatchObject({ ok: false, retryable: true });
  });

  it('no answer: retryable, unless the payload is too big for the CLI buffer', () => {
    expect(parseSet('', 5_000)).toMatchObject({ ok: false, retryable: true });
    const big = parseSet('', CLI_BUFFER_BYTES + 1);
    expect(big).toMatchObject({ ok: false, retryable: false });
    expect(big.ok ? '' : big.reply).toMatch(/tune\.bufsize/);
  });
});

describe('setCommand', () => {
  it('strips blank lines from the payload and closes it with exactly one empty line', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n\n\r\n-----BEGIN PRIVATE KEY-----\nBBB\n-----END PRIVATE KEY-----';
    const cmd = setCommand('/etc/haproxy/site.pem', pem);
    expect(cmd.startsWith('set ssl cert /etc/haproxy/site.pem <<\n')).toBe(true);
    expect(cmd.endsWith('-----END PRIVATE KEY-----\n\n')).toBe(true);
    const body = cmd.slice(cmd.indexOf('\n') + 1, -2);
    expect(body.split('\n').filter((l) => l.trim() === '')).toEqual([]);
    expect(sanitizePayload('a\n\nb\n')).toBe('a\nb\n');
  });
});

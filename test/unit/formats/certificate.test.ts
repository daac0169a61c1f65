/**
 * DER and SHA-1 thumbprint against what `openssl x509` computes for the same certificate:
 * the thumbprint must be the exact string IIS and Azure Key Vault show.
 */
import { Buffer } from 'node:buffer';
import { beforeAll, expect, test } from 'vitest';
import { thumbprintSha1, toDerCertificate } from '../../../packages/connector-sdk/src/formats/index.ts';
import { openssl } from '../../support/certs/index.ts';
import { fixture, KEY_ALGORITHMS, type Fixture } from './fixtures.ts';

let fixtures: Fixture[];
beforeAll(async () => {
  fixtures = await Promise.all(KEY_ALGORITHMS.map((alg) => fixture(alg)));
}, 60_000);

test('toDerCertificate is byte-identical to `openssl x509 -outform der` of the leaf', async () => {
  for (const { dep } of fixtures) {
    const der = toDerCertificate(dep);
    expect(der).toBeInstanceOf(Uint8Array);
    const r = await openssl(['x509', '-in', '{c.pem}', '-outform', 'der', '-out', '{c.der}'], { files: { 'c.pem': dep.certificatePem }, read: ['c.der'] });
    expect(r.status, r.stderr).toBe(0);
    expect(Buffer.from(der).equals(r.outputs['c.der']!)).toBe(true);
    // and OpenSSL reads our bytes as the leaf
    const back = await openssl(['x509', '-inform', 'der', '-in', '{c.der}', '-noout', '-fingerprint', '-sha256'], { files: { 'c.der': der } });
    expect(back.status, back.stderr).toBe(0);
    expect(back.stdout.trim().split('=')[1]?.replace(/:/g, '').toLowerCase()).toBe(dep.fingerprint);
  }
});

test('toDerCertificate returns a fresh copy: mutating it does not change the next result', () => {
  const dep = fixtures[0]!.dep;
  const first = toDerCertificate(dep);
  const original = Buffer.from(first);
  first.fill(0);
  expect(Buffer.from(toDerCertificate(dep)).equals(original)).toBe(true);
});

test('thumbprintSha1 equals `openssl x509 -fingerprint -sha1` (`sha1 Fingerprint=AB:CD:…` in OpenSSL 3) without colons: 40 uppercase hex characters', async () => {
  const seen = new Set<string>();
  for (const { dep } of fixtures) {
    const thumbprint = thumbprintSha1(dep);
    expect(thumbprint).toMatch(/^[0-9A-F]{40}$/);
    const r = await openssl(['x509', '-in', '{c.pem}', '-noout', '-fingerprint', '-sha1'], { files: { 'c.pem': dep.certificatePem } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`sha1 Fingerprint=${thumbprint.replace(/(..)(?!$)/g, '$1:')}`);
    seen.add(thumbprint);
  }
  expect(seen.size).toBe(fixtures.length);
});

/**
 * Key encodings, read back by the real `openssl`: the key that comes out must be the key that
 * went in (same public key as the leaf, same private key), in the container asked for.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { SecretValue, type KeyAlgorithm } from '../../../packages/connector-sdk/src/deployment.ts';
import { FormatErrorReason, isFormatError, toPkcs1Pem, toPkcs8Pem, toSec1Pem } from '../../../packages/connector-sdk/src/formats/index.ts';
import { openssl } from '../../support/certs/index.ts';
import { fixture, KEY_ALGORITHMS, pkcs8Hex, spkiHex, type Fixture } from './fixtures.ts';

const fixtures = new Map<KeyAlgorithm, Fixture>();
beforeAll(async () => {
  for (const alg of KEY_ALGORITHMS) fixtures.set(alg, await fixture(alg));
}, 60_000);
const fx = (alg: KeyAlgorithm): Fixture => fixtures.get(alg) as Fixture;

/** `openssl pkey -pubout` of a key file: OpenSSL's own view of which key it is. */
async function opensslPublicKey(keyPem: string): Promise<string> {
  const r = await openssl(['pkey', '-in', '{k.pem}', '-pubout'], { files: { 'k.pem': keyPem } });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe.each(KEY_ALGORITHMS)('%s', (alg) => {
  test('toPkcs8Pem: BEGIN PRIVATE KEY, canonical, the same key as the leaf', async () => {
    const out = toPkcs8Pem(fx(alg).dep);
    expect(out).toBeInstanceOf(SecretValue);
    const pem = out.reveal();
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n(?:[A-Za-z0-9+/=]{1,64}\n)+-----END PRIVATE KEY-----\n$/);
    expect(spkiHex(await opensslPublicKey(pem))).toBe(spkiHex(fx(alg).dep.certificatePem));
    expect(pkcs8Hex(pem)).toBe(pkcs8Hex(fx(alg).chain.keyPem));
  });
});

test('toPkcs1Pem: RSA becomes BEGIN RSA PRIVATE KEY that openssl rsa -check accepts', async () => {
  const pem = toPkcs1Pem(fx('rsa').dep).reveal();
  expect(pem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n[\s\S]+\n-----END RSA PRIVATE KEY-----\n$/);
  const check = await openssl(['rsa', '-in', '{k.pem}', '-check', '-noout'], { files: { 'k.pem': pem } });
  expect(check.status, check.stderr).toBe(0);
  expect(check.stdout).toContain('RSA key ok');
  expect(spkiHex(await opensslPublicKey(pem))).toBe(spkiHex(fx('rsa').dep.certificatePem));
  expect(pkcs8Hex(pem)).toBe(pkcs8Hex(fx('rsa').chain.keyPem));
});

test.each(['ecdsa-p256', 'ecdsa-p384'] as const)('toSec1Pem: %s becomes a named-curve BEGIN EC PRIVATE KEY', async (alg) => {
  const pem = toSec1Pem(fx(alg).dep).reveal();
  expect(pem).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n[\s\S]+\n-----END EC PRIVATE KEY-----\n$/);
  const text = await openssl(['ec', '-in', '{k.pem}', '-check', '-noout', '-text'], { files: { 'k.pem': pem } });
  expect(text.status, text.stderr).toBe(0);
  expect(text.stdout).toContain(`ASN1 OID: ${alg === 'ecdsa-p256' ? 'prime256v1' : 'secp384r1'}`);
  expect(text.stderr).toContain('EC Key valid.');
  expect(spkiHex(await opensslPublicKey(pem))).toBe(spkiHex(fx(alg).dep.certificatePem));
});

test('PKCS#1 for a non-RSA key and SEC1 for a non-EC key are UnsupportedKeyType errors naming the key type', () => {
  const cases = [
    [() => toPkcs1Pem(fx('ecdsa-p256').dep), /PKCS#1 holds RSA keys only; this key is ec \(prime256v1\)/],
    [() => toPkcs1Pem(fx('ecdsa-p384').dep), /this key is ec \(secp384r1\)/],
    [() => toPkcs1Pem(fx('ed25519').dep), /this key is ed25519/],
    [() => toSec1Pem(fx('rsa').dep), /SEC1 holds EC keys only; this key is rsa/],
    [() => toSec1Pem(fx('ed25519').dep), /this key is ed25519/],
  ] as const;
  for (const [run, message] of cases) {
    let caught: unknown;
    try {
      run();
    } catch (err) {
      caught = err;
    }
    expect(isFormatError(caught, FormatErrorReason.UnsupportedKeyType)).toBe(true);
    expect((caught as Error).message).toMatch(message);
    expect((caught as { retryable: boolean }).retryable).toBe(false);
  }
});

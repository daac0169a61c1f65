/** The key-type policy on real keys of every type node:crypto can generate. */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { expect, test } from 'vitest';
import { classifyKey, InvalidCertificateReason, parsePrivateKey, scanPem } from '../../../packages/connector-sdk/src/credential/index.ts';

const key = (type: string, options: object = {}): KeyObject => (generateKeyPairSync as (t: string, o: object) => { privateKey: KeyObject })(type, options).privateKey;

test.each([
  ['rsa', () => key('rsa', { modulusLength: 1024 }), 'rsa'],
  ['ec P-256', () => key('ec', { namedCurve: 'P-256' }), 'ecdsa-p256'],
  ['ec P-384', () => key('ec', { namedCurve: 'P-384' }), 'ecdsa-p384'],
  ['ed25519', () => key('ed25519'), 'ed25519'],
] as const)('accepted: %s', (_name, make, expected) => {
  expect(classifyKey(make())).toBe(expected);
});

test.each([
  ['ec P-521', () => key('ec', { namedCurve: 'P-521' }), /secp521r1/],
  ['ec secp256k1', () => key('ec', { namedCurve: 'secp256k1' }), /secp256k1/],
  ['rsa-pss', () => key('rsa-pss', { modulusLength: 1024 }), /RSASSA-PSS/],
  ['dsa', () => key('dsa', { modulusLength: 1024, divisorLength: 160 }), /DSA/],
  ['ed448', () => key('ed448'), /Ed448/],
  ['x25519', () => key('x25519'), /x25519 keys cannot sign/],
  ['x448', () => key('x448'), /x448 keys cannot sign/],
] as const)('rejected: %s', (_name, make, message) => {
  const result = classifyKey(make());
  expect(typeof result).toBe('object');
  expect((result as { rejected: string }).rejected).toMatch(message);
  const pem = make().export({ type: 'pkcs8', format: 'pem' }) as string;
  expect(() => parsePrivateKey(scanPem(pem, 'tls.key'))).toThrow(expect.objectContaining({ reason: InvalidCertificateReason.UnsupportedKeyType, field: 'tls.key' }));
});

test('EC PARAMETERS alone is not a key', () => {
  const blocks = scanPem('-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n', 'tls.key');
  expect(() => parsePrivateKey(blocks)).toThrow(expect.objectContaining({ reason: InvalidCertificateReason.MissingKey, message: expect.not.stringContaining('EC PARAMETERS') }));
});

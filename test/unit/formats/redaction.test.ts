/**
 * Every key-bearing result prints `[REDACTED]` on every surface an operator could see
 * (String, template, JSON, util.inspect, util.format), for every key type; the same leak check
 * finds the key in `reveal()`, so the check itself can fail.
 */
import { Buffer } from 'node:buffer';
import { createPrivateKey } from 'node:crypto';
import { format, inspect } from 'node:util';
import { beforeAll, expect, test } from 'vitest';
import { SecretBytes, SecretValue, type Deployment } from '../../../packages/connector-sdk/src/deployment.ts';
import { toCombinedPem, toPkcs1Pem, toPkcs12, toPkcs8Pem, toSec1Pem } from '../../../packages/connector-sdk/src/formats/index.ts';
import { keyMaterialLeaks, keyMaterialNeedles } from '../../support/certs/index.ts';
import { fixture, KEY_ALGORITHMS, type Fixture } from './fixtures.ts';

let fixtures: Fixture[];
beforeAll(async () => {
  fixtures = await Promise.all(KEY_ALGORITHMS.map((alg) => fixture(alg)));
}, 60_000);

function surfaces(value: unknown): string[] {
  return [
    String(value),
    `${value as string}`,
    JSON.stringify(value),
    JSON.stringify({ value }),
    JSON.stringify([value], null, 2),
    inspect(value),
    inspect({ nested: { value } }, { depth: Infinity, showHidden: true }),
    format('%s %o %O %j', value, value, value, value),
  ];
}

/** Every wrapper the format helpers return for this Deployment. */
function secretsOf(dep: Deployment): Array<[string, SecretValue | SecretBytes]> {
  const type = createPrivateKey(dep.privateKey.reveal()).asymmetricKeyType;
  const out: Array<[string, SecretValue | SecretBytes]> = [
    ['toPkcs8Pem', toPkcs8Pem(dep)],
    ['toCombinedPem', toCombinedPem(dep)],
    ['toCombinedPem key-first', toCombinedPem(dep, { order: 'key-then-certificates', includeRoot: true })],
    ['toPkcs12 aes256', toPkcs12(dep, { password: 'pw', friendlyName: 'n' })],
    ['toPkcs12 legacy3des', toPkcs12(dep, { password: '', encryption: 'legacy3des' })],
  ];
  if (type === 'rsa') out.push(['toPkcs1Pem', toPkcs1Pem(dep)]);
  if (type === 'ec') out.push(['toSec1Pem', toSec1Pem(dep)]);
  return out;
}

/** The key's needles plus every line of the revealed PEM outputs (PKCS#1/SEC1 bodies differ from PKCS#8). */
function needlesOf(f: Fixture, secrets: ReadonlyArray<[string, SecretValue | SecretBytes]>): string[] {
  const pems = secrets.flatMap(([, secret]) => (secret instanceof SecretValue ? [secret.reveal()] : []));
  return keyMaterialNeedles(f.chain.keyPem, pems).filter((needle) => !f.dep.chainPem.some((cert) => cert.includes(needle)));
}

test('every returned wrapper prints [REDACTED] everywhere and leaks no key material', () => {
  let checked = 0;
  for (const f of fixtures) {
    const secrets = secretsOf(f.dep);
    const needles = needlesOf(f, secrets);
    for (const [name, secret] of secrets) {
      const seen = surfaces(secret);
      for (const text of seen) expect(text, name).toContain('[REDACTED]');
      expect(String(secret)).toBe('[REDACTED]');
      expect(JSON.stringify(secret)).toBe('"[REDACTED]"');
      expect(inspect(secret)).toBe('[REDACTED]');
      const leaked = needles.filter((needle) => seen.some((text) => text.includes(needle))).map((needle) => `${needle.slice(0, 8)}…`);
      expect(leaked, name).toEqual([]);
      checked++;
    }
  }
  expect(checked).toBe(4 * 5 + 1 + 2); // every wrapper of every key type, PKCS#1 once, SEC1 twice
});

test('the same needles find the key where it legitimately is: in every revealed PEM output', () => {
  for (const f of fixtures) {
    const secrets = secretsOf(f.dep);
    const needles = needlesOf(f, secrets);
    for (const [name, secret] of secrets) {
      if (secret instanceof SecretValue) expect(needles.some((needle) => secret.reveal().includes(needle)), name).toBe(true);
    }
    // and the PKCS#8 outputs are found by the key's own needles alone
    expect(keyMaterialLeaks([toPkcs8Pem(f.dep).reveal()], [f.chain.keyPem]).length).toBeGreaterThan(0);
  }
});

test('SecretBytes: copies in and out, base64 on request, size is public, the bytes never print', () => {
  const input = Uint8Array.from([1, 2, 3, 250, 251, 252]);
  const secret = new SecretBytes(input);
  input.fill(0); // the caller's buffer is not the secret's
  expect(Buffer.from(secret.reveal()).equals(Buffer.from([1, 2, 3, 250, 251, 252]))).toBe(true);
  secret.reveal().fill(9); // nor is a revealed copy
  expect(secret.revealBase64()).toBe(Buffer.from([1, 2, 3, 250, 251, 252]).toString('base64'));
  expect(secret.byteLength).toBe(6);
  for (const text of surfaces(secret)) {
    expect(text).not.toContain('AQID'); // base64 of the first bytes
    expect(text).not.toMatch(/250|0xfa|fa fb/i);
  }
  expect(Object.keys(secret)).toEqual([]);
});

test('a PKCS#12 SecretBytes hides its base64 form as well', () => {
  const p12 = toPkcs12(fixtures[0]!.dep, { password: 'pw' });
  const b64 = p12.revealBase64();
  expect(b64.length).toBeGreaterThan(1000);
  for (const text of surfaces(p12)) expect(text).not.toContain(b64.slice(0, 40));
});

/**
 * Every Secret shape the credential model must accept, over certificates minted at test
 * time. Expected values are computed independently of the code under test: the fingerprint
 * from Node's own `fingerprint256`, the chain from the minting order, the key identity from
 * the public key the minted key derives.
 */
import { Buffer } from 'node:buffer';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { parseTlsSecret, type TlsSecretData } from '../../../packages/connector-sdk/src/credential/index.ts';
import type { Deployment, KeyAlgorithm } from '../../../packages/connector-sdk/src/deployment.ts';
import {
  mintChain,
  mintSelfSigned,
  toPkcs1Pem,
  toSec1Pem,
  withBagAttributes,
  withCrlf,
  withKeyBagAttributes,
  type MintedChain,
  type MintedLeaf,
} from '../../support/certs/index.ts';

const NOW = new Date();
const parse = (data: TlsSecretData): Deployment => parseTlsSecret(data, { now: NOW });

/** What a correct Deployment for `minted` looks like, derived without the code under test. */
function expectDeploymentOf(d: Deployment, minted: MintedLeaf, chain: readonly string[], algorithm: KeyAlgorithm): void {
  const leaf = new X509Certificate(minted.leafPem);
  expect(d.fingerprint).toBe(leaf.fingerprint256.replaceAll(':', '').toLowerCase());
  expect(d.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  expect(d.certificatePem).toBe(minted.leafPem);
  expect(d.chainPem).toEqual(chain);
  expect(d.keyAlgorithm).toBe(algorithm);
  expect(d.notBefore).toEqual(leaf.validFromDate);
  expect(d.notAfter).toEqual(leaf.validToDate);
  const revealed = d.privateKey.reveal();
  expect(revealed).toMatch(/^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END PRIVATE KEY-----\n$/);
  const spki = (pem: string): Buffer => createPublicKey(createPrivateKey(pem)).export({ type: 'spki', format: 'der' });
  expect(spki(revealed).equals(spki(minted.keyPem))).toBe(true);
}

let chains: Record<KeyAlgorithm, MintedChain>;
let selfSigned: MintedLeaf;
let unrelated: MintedChain;

beforeAll(async () => {
  const [rsa, p256, p384, ed] = await Promise.all([
    mintChain({ keyAlgorithm: 'rsa', caKeyAlgorithm: 'rsa', dnsNames: ['rsa.example.test', 'www.rsa.example.test'] }),
    mintChain({ keyAlgorithm: 'ecdsa-p256', dnsNames: ['p256.example.test'], ipAddresses: ['192.0.2.1'] }),
    mintChain({ keyAlgorithm: 'ecdsa-p384', caKeyAlgorithm: 'ecdsa-p384', dnsNames: ['p384.example.test', '*.p384.example.test'] }),
    mintChain({ keyAlgorithm: 'ed25519', caKeyAlgorithm: 'ed25519', dnsNames: ['ed.example.test'] }),
  ]);
  chains = { rsa, 'ecdsa-p256': p256, 'ecdsa-p384': p384, ed25519: ed };
  selfSigned = await mintSelfSigned({ dnsNames: ['self.example.test'] });
  unrelated = await mintChain({ name: 'Unrelated' });
});

describe('every accepted key algorithm, PKCS#8, full chain in tls.crt', () => {
  test.each(['rsa', 'ecdsa-p256', 'ecdsa-p384', 'ed25519'] as const)('%s', (algorithm) => {
    const c = chains[algorithm];
    const d = parse({ 'tls.crt': c.chainPem.join(''), 'tls.key': c.keyPem });
    expectDeploymentOf(d, c, c.chainPem, algorithm);
  });
});

describe('key containers', () => {
  const cases: Array<[string, KeyAlgorithm, (c: MintedChain) => string]> = [
    ['PKCS#1 RSA', 'rsa', (c) => toPkcs1Pem(c.keyPem)],
    ['SEC1 P-256', 'ecdsa-p256', (c) => toSec1Pem(c.keyPem)],
    ['SEC1 P-384', 'ecdsa-p384', (c) => toSec1Pem(c.keyPem)],
    ['EC PARAMETERS + SEC1 P-256', 'ecdsa-p256', (c) => toSec1Pem(c.keyPem, { withParameters: true })],
    ['EC PARAMETERS + SEC1 P-384', 'ecdsa-p384', (c) => toSec1Pem(c.keyPem, { withParameters: true })],
    ['PKCS#1 with CRLF', 'rsa', (c) => withCrlf(toPkcs1Pem(c.keyPem))],
    ['PKCS#8 with bag attributes', 'ed25519', (c) => withKeyBagAttributes(c.keyPem)],
    ['PKCS#8 after a comment and a certificate block', 'ecdsa-p256', (c) => `# issued by test\n${c.leafPem}${c.keyPem}trailing text\n`],
  ];
  test.each(cases)('%s', (_name, algorithm, keyOf) => {
    const c = chains[algorithm];
    const key = keyOf(c);
    expect(key.includes('BEGIN PRIVATE KEY') || key.includes('BEGIN RSA PRIVATE KEY') || key.includes('BEGIN EC PRIVATE KEY')).toBe(true);
    const d = parse({ 'tls.crt': c.chainPem.join(''), 'tls.key': key });
    expectDeploymentOf(d, c, c.chainPem, algorithm);
  });
});

describe('certificate and chain layouts', () => {
  type Layout = [string, (c: MintedChain) => TlsSecretData];
  const layouts: Layout[] = [
    ['leaf only in tls.crt, intermediate and root in ca.crt', (c) => ({ 'tls.crt': c.leafPem, 'ca.crt': [...c.intermediatePems, c.rootPem].join('') })],
    ['leaf + intermediate in tls.crt, root in ca.crt', (c) => ({ 'tls.crt': c.leafPem + c.intermediatePems.join(''), 'ca.crt': c.rootPem })],
    ['chain reversed (root first)', (c) => ({ 'tls.crt': [...c.chainPem].reverse().join('') })],
    ['leaf in the middle', (c) => ({ 'tls.crt': [c.intermediatePems[0], c.leafPem, c.rootPem].join('') })],
    ['duplicates in tls.crt and ca.crt', (c) => ({ 'tls.crt': c.chainPem.join('') + c.leafPem, 'ca.crt': c.chainPem.slice(1).join('') + c.rootPem })],
    ['CRLF everywhere', (c) => ({ 'tls.crt': withCrlf(c.chainPem.join('')), 'ca.crt': withCrlf(c.rootPem) })],
    ['openssl pkcs12 bag attributes', (c) => ({ 'tls.crt': withBagAttributes(c.chainPem) })],
    ['UTF-8 byte order mark and comments', (c) => ({ 'tls.crt': `\uFEFF# chain for p256\n${c.chainPem.join('\n\n')}# end\n` })],
    ['Uint8Array fields', (c) => ({ 'tls.crt': new Uint8Array(Buffer.from(c.chainPem.join(''))), 'ca.crt': new Uint8Array(Buffer.from(c.rootPem)) })],
    ['empty ca.crt is treated as absent', (c) => ({ 'tls.crt': c.chainPem.join(''), 'ca.crt': '' })],
  ];
  test.each(layouts)('%s', (_name, layout) => {
    const c = chains['ecdsa-p256'];
    const d = parse({ 'tls.key': c.keyPem, ...layout(c) });
    expectDeploymentOf(d, c, c.chainPem, 'ecdsa-p256');
  });

  test('a chain without the root stops at the last intermediate', () => {
    const c = chains['ecdsa-p384'];
    const d = parse({ 'tls.crt': c.leafPem + c.intermediatePems.join(''), 'tls.key': c.keyPem });
    expectDeploymentOf(d, c, [c.leafPem, ...c.intermediatePems], 'ecdsa-p384');
  });

  test('certificates that do not link to the chain are dropped', () => {
    const c = chains.rsa;
    const d = parse({ 'tls.crt': unrelated.rootPem + c.chainPem.join('') + unrelated.leafPem, 'tls.key': c.keyPem, 'ca.crt': unrelated.intermediatePems.join('') });
    expectDeploymentOf(d, c, c.chainPem, 'rsa');
  });

  test('a Bag-Attributes bundle with a key in tls.crt ignores the key and never copies it out', () => {
    const c = chains.ed25519;
    const d = parse({ 'tls.crt': withKeyBagAttributes(c.keyPem) + withBagAttributes(c.chainPem), 'tls.key': c.keyPem });
    expectDeploymentOf(d, c, c.chainPem, 'ed25519');
    expect(d.chainPem.join('')).not.toContain('PRIVATE KEY');
  });

  test('a self-signed certificate is a one-element chain', () => {
    const d = parse({ 'tls.crt': selfSigned.leafPem, 'tls.key': selfSigned.keyPem });
    expectDeploymentOf(d, selfSigned, [selfSigned.leafPem], 'ecdsa-p256');
  });

  test('a renewed leaf from the same CA with its own key is picked by its key', async () => {
    const c = chains['ecdsa-p256'];
    const renewed = await c.issueLeaf({ dnsNames: ['p256.example.test'] });
    const d = parse({ 'tls.crt': c.leafPem + renewed.chainPem.join(''), 'tls.key': renewed.keyPem });
    expectDeploymentOf(d, renewed, renewed.chainPem, 'ecdsa-p256');
    expect(d.fingerprint).not.toBe(new X509Certificate(c.leafPem).fingerprint256.replaceAll(':', '').toLowerCase());
  });
});

describe('several certificates carry the key (renewal with key reuse)', () => {
  test('the one valid at now is the leaf, whatever the order', async () => {
    const c = chains['ecdsa-p256'];
    const expired = await c.issueLeaf({ keyPem: c.keyPem, notBefore: new Date(NOW.getTime() - 400 * 86_400_000), notAfter: new Date(NOW.getTime() - 35 * 86_400_000) });
    const future = await c.issueLeaf({ keyPem: c.keyPem, notBefore: new Date(NOW.getTime() + 35 * 86_400_000), notAfter: new Date(NOW.getTime() + 400 * 86_400_000) });
    for (const crt of [expired.leafPem + future.leafPem + c.chainPem.join(''), c.chainPem.join('') + expired.leafPem, future.leafPem + c.chainPem.join('')]) {
      expectDeploymentOf(parse({ 'tls.crt': crt, 'tls.key': c.keyPem }), c, c.chainPem, 'ecdsa-p256');
    }
  });

  test('when none is valid, the first one decides the error', async () => {
    const c = chains['ecdsa-p256'];
    const expired = await c.issueLeaf({ keyPem: c.keyPem, commonName: 'old.example.test', notBefore: new Date(NOW.getTime() - 400 * 86_400_000), notAfter: new Date(NOW.getTime() - 35 * 86_400_000) });
    expect(() => parse({ 'tls.crt': expired.leafPem + c.leafPem, 'tls.key': c.keyPem })).not.toThrow();
    expect(() => parse({ 'tls.crt': expired.chainPem.join(''), 'tls.key': c.keyPem })).toThrow(/Expired.*CN=old\.example\.test/);
  });
});

describe('dnsNames', () => {
  test('DNS entries only, in certificate order; IP entries excluded', () => {
    expect(parse({ 'tls.crt': chains.rsa.leafPem, 'tls.key': chains.rsa.keyPem }).dnsNames).toEqual(['rsa.example.test', 'www.rsa.example.test']);
    expect(parse({ 'tls.crt': chains['ecdsa-p256'].leafPem, 'tls.key': chains['ecdsa-p256'].keyPem }).dnsNames).toEqual(['p256.example.test']);
    expect(parse({ 'tls.crt': chains['ecdsa-p384'].leafPem, 'tls.key': chains['ecdsa-p384'].keyPem }).dnsNames).toEqual(['p384.example.test', '*.p384.example.test']);
  });

  test('a certificate without subjectAltName has no dnsNames', async () => {
    const c = await mintChain({ dnsNames: [], commonName: 'no-san', intermediates: 0 });
    expect(parse({ 'tls.crt': c.leafPem, 'tls.key': c.keyPem }).dnsNames).toEqual([]);
  });

  test('a DNS name Node prints quoted (contains a comma) is decoded', async () => {
    const c = await mintChain({ dnsNames: ['a.example.test', 'we,ird.example.test', 'b.example.test'], intermediates: 0 });
    expect(parse({ 'tls.crt': c.leafPem, 'tls.key': c.keyPem }).dnsNames).toEqual(['a.example.test', 'we,ird.example.test', 'b.example.test']);
  });
});

describe('validity window is inclusive and judged at the injected clock', () => {
  test('accepted exactly at notBefore and exactly at notAfter, whatever the wall clock says', async () => {
    const notBefore = new Date('2001-02-03T04:05:06Z');
    const notAfter = new Date('2002-02-03T04:05:06Z');
    const c = await mintChain({ notBefore, notAfter, intermediates: 0 });
    for (const now of [notBefore, notAfter, new Date('2001-08-01T00:00:00Z')]) {
      const d = parseTlsSecret({ 'tls.crt': c.leafPem, 'tls.key': c.keyPem }, { now });
      expect(d.notBefore).toEqual(notBefore);
      expect(d.notAfter).toEqual(notAfter);
    }
  });
});

test('the Deployment is frozen', () => {
  const c = chains['ecdsa-p256'];
  const d = parse({ 'tls.crt': c.chainPem.join(''), 'tls.key': c.keyPem });
  expect(Object.isFrozen(d)).toBe(true);
  expect(Object.isFrozen(d.chainPem)).toBe(true);
  expect(Object.isFrozen(d.dnsNames)).toBe(true);
});

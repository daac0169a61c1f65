/**
 * The HAProxy combined PEM, checked three ways: its exact block layout (leaf first, no blank
 * lines — the Runtime API payload ends at one), OpenSSL's reading of it (first certificate and
 * the key, the way HAProxy's loader reads it), and a real TLS server on loopback loaded from
 * the one file, whose chain a client verifies against the root alone.
 */
import { once } from 'node:events';
import { X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type DetailedPeerCertificate } from 'node:tls';
import { beforeAll, expect, test } from 'vitest';
import { CombinedPemOrder, FormatErrorReason, isFormatError, toCombinedPem, type CombinedPemOptions } from '../../../packages/connector-sdk/src/formats/index.ts';
import { openssl } from '../../support/certs/index.ts';
import { fixture, normalisePem, pkcs8Hex, sha256Of, spkiHex, type Fixture } from './fixtures.ts';

let rsa: Fixture;
let ec: Fixture;
beforeAll(async () => {
  rsa = await fixture('rsa', { intermediates: 2 });
  ec = await fixture('ecdsa-p384', { caKeyAlgorithm: 'rsa' });
}, 60_000);

/** Labels of the PEM blocks in order, and each block's text. */
function blocks(text: string): Array<{ label: string; pem: string }> {
  return [...text.matchAll(/-----BEGIN ([A-Z ]+)-----\n[\s\S]*?-----END \1-----\n/g)].map((m) => ({ label: m[1] as string, pem: m[0] }));
}

test('default layout: leaf, intermediates (leaf issuer first), key; no root, no blank line, LF, newline-terminated', () => {
  for (const f of [rsa, ec]) {
    const text = toCombinedPem(f.dep).reveal();
    const found = blocks(text);
    const intermediates = f.dep.chainPem.slice(1, -1);
    expect(found.map((b) => b.label)).toEqual(['CERTIFICATE', ...intermediates.map(() => 'CERTIFICATE'), 'PRIVATE KEY']);
    expect(found.map((b) => b.pem).join('')).toBe(text); // nothing between or around the blocks
    expect(normalisePem(found[0]!.pem)).toBe(normalisePem(f.dep.certificatePem));
    expect(found.slice(1, -1).map((b) => normalisePem(b.pem))).toEqual(intermediates.map(normalisePem));
    expect(pkcs8Hex(found.at(-1)!.pem)).toBe(pkcs8Hex(f.chain.keyPem));
    expect(text).not.toMatch(/\n\s*\n/);
    expect(text).not.toContain('\r');
    expect(text.endsWith('-----END PRIVATE KEY-----\n')).toBe(true);
  }
});

test('key-then-certificates puts the key first; includeRoot keeps the root last among the certificates', () => {
  const text = toCombinedPem(rsa.dep, { order: CombinedPemOrder.KeyThenCertificates, includeRoot: true }).reveal();
  const found = blocks(text);
  expect(found.map((b) => b.label)).toEqual(['PRIVATE KEY', 'CERTIFICATE', 'CERTIFICATE', 'CERTIFICATE', 'CERTIFICATE']);
  expect(found.slice(1).map((b) => normalisePem(b.pem))).toEqual(rsa.dep.chainPem.map(normalisePem));
  expect(found.map((b) => b.pem).join('')).toBe(text);
});

test('OpenSSL reads the file as HAProxy does: the first certificate is the leaf, the key is the leaf key, in either order', async () => {
  for (const order of Object.values(CombinedPemOrder)) {
    const text = toCombinedPem(ec.dep, { order }).reveal();
    const cert = await openssl(['x509', '-in', '{c.pem}'], { files: { 'c.pem': text } });
    expect(cert.status, cert.stderr).toBe(0);
    expect(sha256Of(cert.stdout)).toBe(ec.dep.fingerprint);
    const key = await openssl(['pkey', '-in', '{c.pem}', '-pubout'], { files: { 'c.pem': text } });
    expect(key.status, key.stderr).toBe(0);
    expect(spkiHex(key.stdout)).toBe(spkiHex(ec.dep.certificatePem));
  }
});

test('a TLS server loaded from the single file serves a chain that verifies against the root alone', async () => {
  for (const order of Object.values(CombinedPemOrder)) {
    const text = toCombinedPem(rsa.dep, { order }).reveal();
    // Node's loader is OpenSSL's: `key` takes the first key block, `cert` the certificates in file order
    const server = createServer({ key: text, cert: text }, (socket) => socket.end());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const socket = connect({ host: '127.0.0.1', port, servername: 'example.test', ca: rsa.chain.rootPem });
      await once(socket, 'secureConnect');
      expect(socket.authorized).toBe(true);
      const served: string[] = [];
      for (let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true); cert?.raw !== undefined; cert = cert.issuerCertificate === cert ? undefined : cert.issuerCertificate) {
        served.push(new X509Certificate(cert.raw).fingerprint256);
      }
      expect(served[0]).toBe(new X509Certificate(rsa.dep.certificatePem).fingerprint256);
      expect(served).toHaveLength(4); // leaf, two intermediates, and the root the client anchored to
      socket.destroy();
    } finally {
      server.close();
    }
  }
});

test('invalid options are InvalidOption errors', () => {
  for (const options of [{ order: 'key-first' }, { order: 'KEY-THEN-CERTIFICATES' }, { includeRoot: 'no' }] as unknown as CombinedPemOptions[]) {
    let caught: unknown;
    try {
      toCombinedPem(ec.dep, options);
    } catch (err) {
      caught = err;
    }
    expect(isFormatError(caught, FormatErrorReason.InvalidOption), JSON.stringify(options)).toBe(true);
  }
});

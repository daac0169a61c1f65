import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../../src/core/redact.ts';

const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const body = key.split('\n').filter((l) => l && !l.startsWith('-----'));

describe('redactSecrets', () => {
  it('removes whole PEM blocks and bare base64 lines of a key', () => {
    const out = redactSecrets(`nginx: [emerg] bad key\n${key}\nalso: ${body.join('')}`);
    for (const line of body) expect(out).not.toContain(line);
    expect(out).toContain('nginx: [emerg] bad key');
  });
  it('removes a short base64 line of a key quoted without its BEGIN line', () => {
    const last = body[body.length - 1]!;
    expect(redactSecrets(`error near:\n${last}\n`)).not.toContain(last);
  });
  it('removes base64 without digits', () => {
    expect(redactSecrets(`bad input ${'QUJD'.repeat(30)}`)).not.toContain('QUJDQUJD');
  });
  it('removes long hex secrets such as generated passwords', () => {
    const hex = 'bdcbc4d063f453c7ebdcb1593967c048e9ae4ea879f33a7c';
    expect(redactSecrets(`password=${hex}`)).not.toContain(hex);
  });
  it('keeps resource names and paths readable', () => {
    const name = 'projects/my-project/locations/global/certificates/shop-web-certificate';
    expect(redactSecrets(`certificate ${name} not found`)).toContain(name);
  });
  it('never lets any 30-byte random secret through in base64', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 30, maxLength: 30 }), (bytes) => {
      const b64 = Buffer.from(bytes).toString('base64');
      expect(redactSecrets(`x ${b64} y`)).not.toContain(b64);
    }));
  });
});

describe('redactSecrets: hex and base64url shapes of key material', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const der = ec.export({ type: 'pkcs8', format: 'der' });
  const hex = der.toString('hex');

  it('removes base64url (a JWK private scalar, a DER key in base64url)', () => {
    const jwk = ec.export({ format: 'jwk' });
    const out = redactSecrets(`bad key ${JSON.stringify(jwk)}`);
    expect(out).not.toContain(jwk.d);
    const url = der.toString('base64url');
    expect(redactSecrets(`got ${url}`)).not.toContain(url.slice(0, 20));
  });

  it('never lets any 30-byte random secret through in base64url (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 30, maxLength: 30 }), (bytes) => {
        const b64url = Buffer.from(bytes).toString('base64url');
        expect(redactSecrets(`x ${b64url} y`)).not.toContain(b64url);
      }),
    );
  });

  it('removes xxd, hexdump -C and od -x style dump lines of a DER key', () => {
    const xxd: string[] = [];
    const canonical: string[] = [];
    for (let off = 0; off < der.length; off += 16) {
      const chunk = der.subarray(off, off + 16);
      const pairs = [...chunk].map((b) => b.toString(16).padStart(2, '0'));
      const quads = [];
      for (let i = 0; i < pairs.length; i += 2) quads.push(pairs.slice(i, i + 2).join(''));
      xxd.push(`${off.toString(16).padStart(8, '0')}: ${quads.join(' ')}  ${chunk.toString('latin1').replace(/[^ -~]/g, '.')}`);
      canonical.push(`${off.toString(16).padStart(8, '0')}  ${pairs.slice(0, 8).join(' ')}  ${pairs.slice(8).join(' ')}  |${chunk.toString('latin1').replace(/[^ -~]/g, '.')}|`);
    }
    for (const dump of [xxd, canonical]) {
      const out = redactSecrets(`reload failed, key bytes:\n${dump.join('\n')}\n`);
      expect(out).toContain('reload failed');
      for (let i = 0; i + 8 <= hex.length; i += 8) expect(out.replace(/[\s:]/g, '')).not.toContain(hex.slice(i, i + 8));
    }
  });

  it('removes the colon-separated private scalar openssl -text prints', () => {
    const priv = Buffer.from(ec.export({ format: 'jwk' }).d as string, 'base64url');
    const pairs = [...priv].map((b) => b.toString(16).padStart(2, '0'));
    const text = `Private-Key: (256 bit)\npriv:\n    ${pairs.slice(0, 15).join(':')}:\n    ${pairs.slice(15, 30).join(':')}:\n    ${pairs.slice(30).join(':')}\nASN1 OID: prime256v1`;
    const out = redactSecrets(text);
    expect(out).toContain('ASN1 OID: prime256v1');
    for (let i = 0; i + 3 <= pairs.length; i++) expect(out).not.toContain(pairs.slice(i, i + 3).join(':'));
  });

  it('keeps ordinary server messages, kebab-case names, times and short numbers', () => {
    const msg = '2026/12/04 18:00:01 [emerg] 1234#1234: cannot load certificate "/etc/nginx/tls/shop-web-certificate-renewal.crt"';
    expect(redactSecrets(msg)).toBe(msg);
    const name = 'shop-web-certificate-2026-renewal-edge-eu-west';
    expect(redactSecrets(`certificate ${name} not found`)).toContain(name);
  });
});

describe('the SDK surface', () => {
  it('re-exports the core redaction under its stable name, so connectors and the controller redact alike', async () => {
    const sdk = await import('@cert-deployer/connector-sdk');
    expect(sdk.redactSecrets).toBe(redactSecrets);
  });
});

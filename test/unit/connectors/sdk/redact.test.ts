import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../../../src/connectors/sdk/redact.ts';

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
